"""The Order aggregate, event-sourced: public methods check the rules and raise events, `_apply`
only folds them, so a replay never re-validates history. Process-driven steps are idempotent."""

from datetime import datetime
from uuid import UUID

from domain.ordering import events as ev
from domain.ordering.errors import (
    EmptyOrder,
    MixedCurrencies,
    OrderAlreadyShipped,
    OrderNotCancellable,
    OrderNotClaimable,
    OrderNotPaid,
    OrderNotShipped,
    PaymentMismatch,
    ShipmentNotFound,
)
from domain.ordering.payment import PaymentLifecycle
from domain.ordering.pricing.breakdown import Breakdown
from domain.ordering.pricing.inputs import PricingInput
from domain.ordering.shipments import carried, recorded, shipment_id_for, units_left
from domain.ordering.state import OrderState, next_state
from domain.ordering.values import LineUnits, OrderLine, OrderStatus, ShippingAddress
from domain.shared.events import DomainEvent
from domain.shared.money import Money

S = OrderStatus
__all__ = ["NO_CHARGE", "Order", "OrderState", "next_state", "order_stream"]

CANCELLABLE = frozenset({S.PLACED, S.AWAITING_PAYMENT, S.PAID})
NO_CHARGE = "no-charge"  # the payment reference of an order that had nothing left to pay


def order_stream(order_id: UUID) -> str:
    """The event-log stream of one order."""
    return f"order-{order_id}"


class Order(PaymentLifecycle):
    """One customer's order, from placement to delivery, cancellation or refund."""

    stream_type = "order"
    _state: OrderState | None = None

    # -- creation ---------------------------------------------------------------------------

    @classmethod
    def place(
        cls,
        *,
        order_id: UUID,
        customer_id: UUID,
        pricing: PricingInput,
        breakdown: Breakdown,
        shipping_address: ShippingAddress,
        billing_address: ShippingAddress | None = None,
        email: str | None = None,
        guest: bool = False,
        now: datetime,
    ) -> "Order":
        """The order at the breakdown the pipeline made of `pricing`, both kept as they are."""
        if not breakdown.lines:
            raise EmptyOrder("an order needs at least one line")
        currencies = {line.unit_price.currency for line in pricing.lines} | {breakdown.currency}
        if len(currencies) > 1:
            raise MixedCurrencies(
                f"one order is paid in one currency, not {', '.join(sorted(currencies))}"
            )
        lines = tuple(
            OrderLine(
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                unit_price=line.unit_price,
                quantity=line.quantity,
            )
            for line in breakdown.lines
        )
        order = cls()
        order._raise(
            ev.OrderPlaced(
                occurred_at=now,
                order_id=order_id,
                customer_id=customer_id,
                lines=lines,
                total=breakdown.total,
                shipping_address=shipping_address,
                pricing=pricing,
                breakdown=breakdown,
                billing_address=billing_address or shipping_address,
                email=email,
                guest=guest,
            )
        )
        return order

    # -- steps of the fulfilment process (idempotent) ----------------------------------------

    def confirm_stock(self, *, now: datetime) -> None:
        if self.state.status is S.PLACED:
            self._raise(ev.OrderStockReserved(occurred_at=now, order_id=self.id))

    def reject_for_stock(self, reason: str, *, now: datetime) -> None:
        if self.state.status is S.PLACED:
            self._raise(ev.OrderStockRejected(occurred_at=now, order_id=self.id, reason=reason))

    def record_payment(self, payment_reference: str, amount: Money, *, now: datetime) -> None:
        """An authorised payment. Late news for a cancelled order is still recorded: the money
        was taken, so the order becomes refundable."""
        state = self.state
        if amount != state.amount_due:
            raise PaymentMismatch(f"payment of {amount} for an amount due of {state.amount_due}")
        if state.payment_reference is not None:
            return  # known already: a duplicate provider callback or a replayed step
        if state.status not in (S.AWAITING_PAYMENT, S.CANCELLED):
            return
        self._raise(
            ev.PaymentAuthorized(
                occurred_at=now,
                order_id=self.id,
                payment_reference=payment_reference,
                amount=amount,
            )
        )
        if state.status is S.AWAITING_PAYMENT:
            self._raise(
                ev.OrderPaid(occurred_at=now, order_id=self.id, payment_reference=payment_reference)
            )

    def skip_payment(self, *, now: datetime) -> None:
        """Paid without asking the provider: nothing is left to pay."""
        state = self.state
        if state.status is not S.AWAITING_PAYMENT:
            return
        if state.amount_due.amount != 0:
            raise PaymentMismatch(f"{state.amount_due} is due; the payment is not skipped")
        self._raise(ev.PaymentSkipped(occurred_at=now, order_id=self.id))
        self._raise(ev.OrderPaid(occurred_at=now, order_id=self.id, payment_reference=NO_CHARGE))

    def decline_payment(self, reason: str, *, now: datetime) -> None:
        if self.state.status is S.AWAITING_PAYMENT:
            self._raise(ev.PaymentDeclined(occurred_at=now, order_id=self.id, reason=reason))
            self._cancel(f"payment declined: {reason}", actor_id=None, now=now)

    def fail_payment(self, reason: str, *, now: datetime) -> None:
        if self.state.status is S.AWAITING_PAYMENT:
            self._raise(ev.PaymentFailed(occurred_at=now, order_id=self.id, reason=reason))
            self._cancel(f"payment failed: {reason}", actor_id=None, now=now)

    def expire_payment(self, reason: str, *, now: datetime) -> None:
        """Still unpaid (or never confirmed) after the payment timeout: the shop gives up."""
        if self.state.awaits_payment:
            self._cancel(reason, actor_id=None, now=now)

    def expire_authorisation(self, reason: str, *, now: datetime) -> None:
        """Paid, not shipped, and its authorisation can no longer be captured: the shop keeps
        no card to ask again with, so the order is cancelled (its authorisation voided next)."""
        state = self.state
        if state.status is S.PAID and state.awaits_capture:
            self._cancel(reason, actor_id=None, now=now)

    # -- what people do ---------------------------------------------------------------------

    def cancel(self, reason: str, *, actor_id: UUID | None, now: datetime) -> None:
        status = self.state.status
        if status in (S.PARTIALLY_SHIPPED, S.SHIPPED, S.DELIVERED):
            raise OrderAlreadyShipped(f"order {self.id} is {status}; it can no longer be cancelled")
        if status not in CANCELLABLE:
            raise OrderNotCancellable(f"order {self.id} is {status}")
        self._cancel(reason, actor_id=actor_id, now=now)

    def ship(
        self, tracking_number: str, *, carrier: str | None, actor_id: UUID | None, now: datetime
    ) -> None:
        """One shipment of every unit not shipped yet (the order's only one, before parcels)."""
        self.dispatch_shipment(
            shipment_id_for(self.id, tracking_number),
            None,
            tracking_number=tracking_number,
            carrier=carrier,
            location=None,
            actor_id=actor_id,
            now=now,
        )

    def check_shipment(
        self, shipment_id: UUID, lines: tuple[LineUnits, ...] | None, *, tracking_number: str
    ) -> tuple[LineUnits, ...] | None:
        """The units a new shipment carries (`lines`, None: every unit left), None when it is
        one recorded already; raises unless it may leave now (ADR 0038)."""
        state = self.state
        if recorded(state.shipments, shipment_id, lines, tracking_number=tracking_number):
            return None  # the same shipment reported again
        if state.status in (S.SHIPPED, S.DELIVERED):
            raise OrderAlreadyShipped(
                f"order {self.id} has shipped every unit (tracking number {state.tracking_number})"
            )
        if state.status not in (S.PAID, S.PARTIALLY_SHIPPED):
            raise OrderNotPaid(f"order {self.id} is {state.status}; only paid orders are shipped")
        left = units_left(state.lines, state.shipped_units)
        return carried(lines, ordered=state.lines, left=left)

    def dispatch_shipment(
        self,
        shipment_id: UUID,
        lines: tuple[LineUnits, ...] | None,
        *,
        tracking_number: str,
        carrier: str | None,
        location: str | None,
        actor_id: UUID | None,
        now: datetime,
    ) -> None:
        """A parcel leaves with `lines` (None: every unit left); OrderShipped follows once
        every unit has left. The same shipment reported again changes nothing."""
        carries = self.check_shipment(shipment_id, lines, tracking_number=tracking_number)
        if carries is None:
            return
        self._raise(
            ev.ShipmentDispatched(
                occurred_at=now,
                order_id=self.id,
                shipment_id=shipment_id,
                lines=carries,
                tracking_number=tracking_number,
                carrier=carrier,
                location=location,
                actor_id=actor_id,
            )
        )
        if not units_left(self.state.lines, self.state.shipped_units):
            self._raise(
                ev.OrderShipped(
                    occurred_at=now,
                    order_id=self.id,
                    tracking_number=tracking_number,
                    carrier=carrier,
                    actor_id=actor_id,
                )
            )

    def deliver_shipment(self, shipment_id: UUID, *, actor_id: UUID | None, now: datetime) -> None:
        """One parcel arrived; OrderDelivered follows once every unit has shipped and arrived."""
        shipment = self.state.shipment(shipment_id)
        if shipment is None:
            raise ShipmentNotFound(f"order {self.id} has no shipment {shipment_id}")
        if shipment.delivered_at is not None:
            return
        self._raise(
            ev.ShipmentDelivered(
                occurred_at=now, order_id=self.id, shipment_id=shipment_id, actor_id=actor_id
            )
        )
        state = self.state
        if state.status is S.SHIPPED and all(s.delivered_at for s in state.shipments):
            self._raise(ev.OrderDelivered(occurred_at=now, order_id=self.id, actor_id=actor_id))

    def deliver(self, *, actor_id: UUID | None, now: datetime) -> None:
        """Every parcel not delivered yet arrived, and with them the order."""
        status = self.state.status
        if status is S.DELIVERED:
            return
        if status is not S.SHIPPED:
            raise OrderNotShipped(f"order {self.id} is {status}; only shipped orders are delivered")
        for shipment in self.state.shipments:
            self.deliver_shipment(shipment.id, actor_id=actor_id, now=now)

    def claim(self, *, customer_id: UUID, email: str, now: datetime) -> None:
        """The account that owns the order's email takes over a guest's order."""
        state = self.state
        if state.customer_id == customer_id:
            return  # claimed already
        if not state.guest or (state.email or "").casefold() != email.casefold():
            raise OrderNotClaimable(f"order {self.id} is not a guest order placed with {email}")
        self._raise(
            ev.OrderClaimed(
                occurred_at=now,
                order_id=self.id,
                customer_id=customer_id,
                previous_customer_id=state.customer_id,
                email=email,
            )
        )

    # -- queries ----------------------------------------------------------------------------

    @property
    def state(self) -> OrderState:
        assert self._state is not None, "an order exists from its OrderPlaced event on"
        return self._state

    @property
    def id(self) -> UUID:
        return self.state.id

    @property
    def status(self) -> OrderStatus:
        return self.state.status

    @property
    def stream_id(self) -> str:
        return order_stream(self.id)

    # -- event appliers ---------------------------------------------------------------------

    def _cancel(self, reason: str, *, actor_id: UUID | None, now: datetime) -> None:
        self._raise(
            ev.OrderCancelled(
                occurred_at=now,
                order_id=self.id,
                reason=reason,
                actor_id=actor_id,
                after_payment=self.state.paid_at is not None,
            )
        )

    def _apply(self, event: DomainEvent) -> None:
        self._state = next_state(self._state, event)
