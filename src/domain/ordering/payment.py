"""The payment's lifecycle of an order (ADR 0037): an authorisation captured later or voided,
and refunds, each granted against what is left of the captured money before the provider is
asked for it. A base of the Order aggregate: its methods check the rules and raise events."""

from abc import abstractmethod
from datetime import datetime
from uuid import UUID, uuid4

from domain.ordering import events as ev
from domain.ordering.errors import (
    NothingCaptured,
    OrderAlreadyRefunded,
    OrderNotRefundable,
    PaymentMismatch,
    PaymentNotCapturable,
    RefundExceedsCaptured,
)
from domain.ordering.state import OrderState
from domain.ordering.values import LineUnits, OrderStatus, Refund
from domain.shared.aggregate import EventSourcedAggregate
from domain.shared.money import Money

S = OrderStatus
# Before the money is secured, or after the order ended: nothing to capture or refund then.
NOT_PAID_YET = frozenset({S.PLACED, S.AWAITING_PAYMENT, S.REJECTED})
ENDED = frozenset({S.CANCELLED, S.REFUNDED, S.REJECTED})


class PaymentLifecycle(EventSourcedAggregate):
    """Capture, void and refunds of one order's payment."""

    @property
    @abstractmethod
    def state(self) -> OrderState: ...

    @property
    @abstractmethod
    def id(self) -> UUID: ...

    def check_capturable(self) -> tuple[str, Money] | None:
        """The payment reference and amount to capture; None when there is nothing to capture
        (captured already, or gift cards paid it all); raises when it can no longer be."""
        state = self.state
        if state.payment_reference is None or state.captured_at is not None:
            return None
        if state.voided_at is not None or state.status in ENDED | NOT_PAID_YET:
            raise PaymentNotCapturable(
                f"order {self.id} is {state.status}"
                + (" and its authorisation was voided" if state.voided_at else "")
                + "; only a live order's authorisation is captured"
            )
        return state.payment_reference, state.amount_due

    def capture(self, capture_reference: str, *, actor_id: UUID | None, now: datetime) -> None:
        """The authorised amount moved to the shop; capturing again changes nothing."""
        found = self.check_capturable()
        if found is None:
            return
        payment_reference, amount = found
        self._raise(
            ev.PaymentCaptured(
                occurred_at=now,
                order_id=self.id,
                payment_reference=payment_reference,
                amount=amount,
                capture_reference=capture_reference,
                actor_id=actor_id,
            )
        )

    def void_payment(self, reason: str, *, actor_id: UUID | None, now: datetime) -> None:
        """A cancelled order's uncaptured authorisation released; voiding again changes nothing."""
        state = self.state
        if not state.awaits_capture or state.status is not S.CANCELLED:
            return
        assert state.payment_reference is not None
        self._raise(
            ev.PaymentVoided(
                occurred_at=now,
                order_id=self.id,
                payment_reference=state.payment_reference,
                reason=reason,
                actor_id=actor_id,
            )
        )

    def check_refundable(self, amount: Money | None = None) -> Money:
        """What a refund of `amount` (None: all that is left) gives back through the provider;
        raises unless it may be granted now. An order paid wholly by gift cards is refunded
        whole for nothing (its cards are credited back apart)."""
        state = self.state
        if state.status is S.REFUNDED:
            raise OrderAlreadyRefunded(f"order {self.id} was refunded already")
        if state.paid_at is None or state.status in NOT_PAID_YET:
            raise OrderNotRefundable(
                f"order {self.id} is {state.status} and no payment was taken"
                "; only paid orders, or orders cancelled after payment, are refunded"
            )
        if state.payment_reference is None:  # gift cards paid it all
            if amount is not None and amount.amount != 0:
                raise RefundExceedsCaptured(
                    f"order {self.id} was paid by gift cards: nothing was captured by card"
                    "; refund it whole (no amount), which credits the cards back"
                )
            return Money.zero(state.total.currency)
        if state.captured_at is None:
            raise NothingCaptured(
                f"nothing of order {self.id} was captured yet; cancel it to void its authorisation"
            )
        left = state.refundable
        if amount is None:
            if left.amount == 0:
                raise OrderAlreadyRefunded(
                    f"all that order {self.id} captured is refunded, or being refunded"
                )
            return left
        if amount.currency != left.currency:
            raise PaymentMismatch(f"a refund in {amount.currency} of an order in {left.currency}")
        if amount.amount > left.amount:
            raise RefundExceedsCaptured(
                f"{amount} is more than the {left} left to refund of the {state.captured}"
                f" captured for order {self.id}"
            )
        return amount

    def request_refund(
        self,
        refund_id: UUID,
        amount: Money | None,
        *,
        reason: str,
        actor_id: UUID | None,
        lines: tuple[LineUnits, ...] = (),
        return_id: UUID | None = None,
        now: datetime,
    ) -> Refund:
        """Grants a refund against what is left: recorded before the provider is asked."""
        granted = self.check_refundable(amount)
        self._raise(
            ev.RefundRequested(
                occurred_at=now,
                order_id=self.id,
                refund_id=refund_id,
                amount=granted,
                reason=reason,
                actor_id=actor_id,
                lines=lines,
                return_id=return_id,
            )
        )
        found = self.refund_of(refund_id)
        assert found is not None
        return found

    def issue_refund(self, refund_id: UUID, refund_reference: str, *, now: datetime) -> None:
        """The provider paid a requested refund back; issuing it again changes nothing."""
        refund = self.refund_of(refund_id)
        if refund is None:
            raise OrderNotRefundable(f"order {self.id} has no refund {refund_id} requested")
        if refund.issued:
            return
        state = self.state
        after = state.refunded_amount + refund.amount.amount
        self._raise(
            ev.RefundIssued(
                occurred_at=now,
                order_id=self.id,
                amount=refund.amount,
                refund_reference=refund_reference,
                reason=refund.reason,
                actor_id=refund.actor_id,
                lines=refund.lines,
                return_id=refund.return_id,
                refund_id=refund_id,
                refunded_in_full=after == state.captured_amount
                and (refund.return_id is None or self._every_unit_returned(refund)),
            )
        )

    def _every_unit_returned(self, refund: Refund) -> bool:
        """Whether returns' refunds, this one included, paid for every unit of the order: a
        return that takes the last captured money back while units stay with the customer
        leaves the order standing (its gift cards are not credited back whole, its stock is
        not released)."""
        back: dict[str, int] = {}
        for paid in self.state.refunds:  # `refund` among them, requested
            if paid.return_id is not None and (paid.issued or paid.refund_id == refund.refund_id):
                for line in paid.lines:
                    back[line.sku] = back.get(line.sku, 0) + line.quantity
        ordered: dict[str, int] = {}
        for bought in self.state.lines:
            ordered[bought.sku] = ordered.get(bought.sku, 0) + bought.quantity
        return all(back.get(sku, 0) >= quantity for sku, quantity in ordered.items())

    def refund(
        self,
        refund_reference: str,
        *,
        reason: str,
        actor_id: UUID | None,
        now: datetime,
        amount: Money | None = None,
        refund_id: UUID | None = None,
    ) -> None:
        """A refund requested and issued in one go (all that is left, or `amount`), for a
        reference already known."""
        refund_id = refund_id or uuid4()
        self.request_refund(refund_id, amount, reason=reason, actor_id=actor_id, now=now)
        self.issue_refund(refund_id, refund_reference, now=now)

    def refund_of(self, refund_id: UUID) -> Refund | None:
        return next((r for r in self.state.refunds if r.refund_id == refund_id), None)

    def refund_for_return(self, return_id: UUID) -> Refund | None:
        return next((r for r in self.state.refunds if r.return_id == return_id), None)
