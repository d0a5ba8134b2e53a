"""The Return aggregate (RMA), event-sourced like the Order, one stream per return beside its
order's: requested -> approved | refused, approved -> received -> refunded (ADR 0039). The
order's state and its other returns are read by the commands, never changed."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from domain.ordering import events as ev
from domain.ordering.errors import (
    InvalidReturn,
    ReceiptExceedsReturn,
    ReturnExceedsShipped,
    ReturnNotApproved,
    ReturnWindowClosed,
)
from domain.ordering.pricing.refunds import ShippingRefund, refund_for
from domain.ordering.return_state import ReturnState, next_return_state
from domain.ordering.state import OrderState
from domain.ordering.values import Disposition, ReceivedUnits, ReturnedUnits, ReturnStatus
from domain.shared.aggregate import EventSourcedAggregate
from domain.shared.events import DomainEvent
from domain.shared.money import Money

R = ReturnStatus
__all__ = ["Return", "ReturnState", "return_stream"]

MAX_REASON = 500


def return_stream(return_id: UUID) -> str:
    """The event-log stream of one return."""
    return f"return-{return_id}"


class Return(EventSourcedAggregate):
    """Some shipped units of one order, asked back by its customer (or staff for them)."""

    stream_type = "return"
    _state: ReturnState | None = None

    @classmethod
    def request(
        cls,
        *,
        return_id: UUID,
        order: OrderState,
        lines: Sequence[ReturnedUnits],
        others: Sequence[ReturnState],
        actor_id: UUID | None,
        window: timedelta,
        now: datetime,
    ) -> "Return":
        """Within the window from delivery (or shipment), only shipped units, and no more than
        were shipped less what the order's other returns (not refused) already ask back."""
        opened = order.returnable_from
        if opened is None:
            raise ReturnExceedsShipped(f"order {order.id} has not shipped anything yet")
        if now > opened + window:
            raise ReturnWindowClosed(
                f"returns of order {order.id} closed on {(opened + window).date().isoformat()}"
            )
        _check_lines(lines)
        claimed: dict[str, int] = {}
        for other in others:
            if other.claims_units and other.order_id == order.id:
                for sku, quantity in other.asked.items():
                    claimed[sku] = claimed.get(sku, 0) + quantity
        shipped = order.shipped_units
        for line in lines:
            left = shipped.get(line.sku, 0) - claimed.get(line.sku, 0)
            if line.quantity > left:
                raise ReturnExceedsShipped(
                    f"{line.quantity} units of {line.sku} asked back, {max(left, 0)} may be"
                )
        aggregate = cls()
        aggregate._raise(
            ev.ReturnRequested(
                occurred_at=now,
                return_id=return_id,
                order_id=order.id,
                customer_id=order.customer_id,
                lines=tuple(lines),
                actor_id=actor_id,
            )
        )
        return aggregate

    def approve(self, *, actor_id: UUID | None, now: datetime) -> None:
        """Approving an approved return again changes nothing."""
        if self.status is R.APPROVED:
            return
        self._expect(R.REQUESTED, "approved")
        self._raise(ev.ReturnApproved(occurred_at=now, **self._ids, actor_id=actor_id))

    def refuse(self, reason: str, *, actor_id: UUID | None, now: datetime) -> None:
        self._expect(R.REQUESTED, "refused")
        self._raise(
            ev.ReturnRefused(occurred_at=now, **self._ids, reason=reason, actor_id=actor_id)
        )

    def receive(
        self,
        units: Sequence[ReceivedUnits],
        *,
        order: OrderState,
        others: Sequence[ReturnState],
        shipping: ShippingRefund,
        actor_id: UUID | None,
        now: datetime,
    ) -> None:
        """The units that came back, each restocked at a location or written off, at most the
        approved ones; every unit received is refunded, from the order's frozen breakdown
        after the units and money the order's earlier received returns gave back."""
        self._expect(R.APPROVED, "received")
        if not units:
            raise ReceiptExceedsReturn("a receipt names at least one unit")
        received: dict[str, int] = {}
        for unit in units:
            if unit.quantity < 1:
                raise ReceiptExceedsReturn(f"{unit.quantity} units of {unit.sku} received")
            if (unit.disposition is Disposition.RESTOCK) != (unit.location is not None):
                raise ReceiptExceedsReturn("restocked units name a location, written off ones none")
            received[unit.sku] = received.get(unit.sku, 0) + unit.quantity
        asked = self.state.asked
        for sku, quantity in received.items():
            if quantity > asked.get(sku, 0):
                raise ReceiptExceedsReturn(
                    f"{quantity} units of {sku} received, {asked.get(sku, 0)} approved"
                )
        # What was paid back before, whoever asked: every refund on the order (staff's too),
        # and the refunds of received returns not requested on the order yet. Units staff
        # refunded by line count as come back, so no unit is paid for twice (ADR 0039).
        before: dict[str, int] = {}
        to_payment = Money.zero(order.breakdown.currency)
        on_the_order = {r.return_id for r in order.refunds if r.return_id is not None}
        for paid_back in order.refunds:
            if paid_back.return_id == self.id:
                continue
            to_payment += paid_back.amount
            if paid_back.return_id is None:
                for line in paid_back.lines:
                    before[line.sku] = before.get(line.sku, 0) + line.quantity
        for other in others:
            if other.id != self.id and other.status in (R.RECEIVED, R.REFUNDED):
                for sku, quantity in other.came_back.items():
                    before[sku] = before.get(sku, 0) + quantity
                if other.refund is not None and other.id not in on_the_order:
                    to_payment += other.refund
        refund = refund_for(
            order.breakdown,
            received.items(),
            returned_before=before,
            refunded_to_payment_before=to_payment,
            shipping=shipping,
        )
        self._raise(
            ev.ReturnReceived(
                occurred_at=now,
                **self._ids,
                units=tuple(units),
                refund=refund.to_payment,
                actor_id=actor_id,
            )
        )

    def mark_refunded(self, refund_reference: str, *, now: datetime) -> None:
        """The process's last step; a replay of it changes nothing."""
        if self.status is R.REFUNDED:
            return
        self._expect(R.RECEIVED, "refunded")
        assert self.state.refund is not None
        self._raise(
            ev.ReturnRefunded(
                occurred_at=now,
                **self._ids,
                refund_reference=refund_reference,
                amount=self.state.refund,
            )
        )

    # -- queries ----------------------------------------------------------------------------

    @property
    def state(self) -> ReturnState:
        assert self._state is not None, "a return exists from its ReturnRequested event on"
        return self._state

    @property
    def id(self) -> UUID:
        return self.state.id

    @property
    def status(self) -> ReturnStatus:
        return self.state.status

    @property
    def stream_id(self) -> str:
        return return_stream(self.id)

    @property
    def _ids(self) -> dict[str, UUID]:
        return {"return_id": self.id, "order_id": self.state.order_id}

    def _expect(self, status: ReturnStatus, to_be: str) -> None:
        if self.status is not status:
            raise ReturnNotApproved(
                f"return {self.id} is {self.status}; only a {status} return is {to_be}"
            )

    def _apply(self, event: DomainEvent) -> None:
        self._state = next_return_state(self._state, event)


def _check_lines(lines: Sequence[ReturnedUnits]) -> None:
    if not lines:
        raise InvalidReturn("a return asks back at least one unit")
    if len({line.sku for line in lines}) != len(lines):
        raise InvalidReturn("each line is named once")
    for line in lines:
        if line.quantity < 1:
            raise InvalidReturn(f"{line.quantity} units of {line.sku} cannot be returned")
        if not line.reason.strip() or len(line.reason) > MAX_REASON:
            raise InvalidReturn(f"give a reason of at most {MAX_REASON} characters")
