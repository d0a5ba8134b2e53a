"""An order's state after its events: `OrderState.evolve` is the order's one state machine, folded
by the aggregate, the projection and the live feed alike (ADR 0013)."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.ordering import events as ev
from domain.ordering.pricing.breakdown import Breakdown
from domain.ordering.shipments import as_lines, legacy_shipment_id, shipped_units, units
from domain.ordering.values import (
    LineUnits,
    OrderLine,
    OrderStatus,
    Refund,
    Shipment,
    ShippingAddress,
)
from domain.shared.events import DomainEvent
from domain.shared.money import Money

S = OrderStatus
UNPAID = frozenset({S.PLACED, S.AWAITING_PAYMENT})


@dataclass(frozen=True, kw_only=True)
class OrderState:
    """The order after its events so far. `evolve` is the order's one state machine: the
    aggregate, the projection and the live feed all fold the stream with it."""

    id: UUID
    customer_id: UUID
    status: OrderStatus
    lines: tuple[OrderLine, ...]
    total: Money  # the breakdown's total, kept beside it for lists and searches
    breakdown: Breakdown
    shipping_address: ShippingAddress
    billing_address: ShippingAddress
    email: str | None = None  # given at checkout (a guest's only contact)
    guest: bool = False  # placed by a guest and not claimed by an account yet
    placed_at: datetime
    updated_at: datetime
    version: int = 1  # the number of events folded in: the stream's version
    payment_reference: str | None = None
    paid_at: datetime | None = None  # when the money was taken
    tracking_number: str | None = None
    carrier: str | None = None
    cancel_reason: str | None = None
    refund_reference: str | None = None  # the latest refund's
    refunded_at: datetime | None = None  # when all of it was refunded (the reports' day)
    # The payment's lifecycle (ADR 0037), amounts in the order's currency.
    captured_amount: Decimal = Decimal(0)
    capture_reference: str | None = None
    captured_at: datetime | None = None
    voided_at: datetime | None = None
    refunded_amount: Decimal = Decimal(0)  # issued refunds, added up
    refunds: tuple[Refund, ...] = ()  # requested and issued, oldest first
    shipments: tuple[Shipment, ...] = ()  # its parcels, oldest first (ADR 0038)

    @classmethod
    def placed(cls, event: ev.OrderPlaced) -> "OrderState":
        return cls(
            id=event.order_id,
            customer_id=event.customer_id,
            status=S.PLACED,
            lines=event.lines,
            total=event.total,
            breakdown=event.breakdown,
            shipping_address=event.shipping_address,
            billing_address=event.billing_address,
            email=event.email,
            guest=event.guest,
            placed_at=event.occurred_at,
            updated_at=event.occurred_at,
        )

    def evolve(self, event: DomainEvent) -> "OrderState":
        """The state after one of the later events."""
        state = replace(self, updated_at=event.occurred_at, version=self.version + 1)
        match event:
            case ev.OrderStockReserved():
                return replace(state, status=S.AWAITING_PAYMENT)
            case ev.OrderStockRejected(reason=reason):
                return replace(state, status=S.REJECTED, cancel_reason=reason)
            case ev.PaymentAuthorized(payment_reference=reference, occurred_at=at):
                state = replace(state, payment_reference=reference, paid_at=at)
                if event.captured:  # v1: the authorisation was the charge
                    return _captured(state, event.amount, reference, at)
                return state
            case ev.PaymentCaptured(amount=amount, capture_reference=reference, occurred_at=at):
                return _captured(state, amount, reference, at)
            case ev.PaymentVoided(occurred_at=at):
                return replace(state, voided_at=at)
            case ev.RefundRequested():
                return replace(state, refunds=(*state.refunds, _requested(event)))
            case ev.PaymentSkipped(occurred_at=at):
                return replace(state, paid_at=at)
            case ev.OrderPaid():
                return replace(state, status=S.PAID)
            case ev.OrderClaimed(customer_id=customer_id):
                return replace(state, customer_id=customer_id, guest=False)
            case ev.ShipmentDispatched():
                return state.dispatched(event)
            case ev.ShipmentDelivered(shipment_id=shipment_id, occurred_at=at):
                return state.delivered({shipment_id}, at=at)
            case ev.OrderShipped(tracking_number=number, carrier=carrier):
                state = state if state.shipments else state.shipped_whole(event)
                return replace(state, status=S.SHIPPED, tracking_number=number, carrier=carrier)
            case ev.OrderDelivered(occurred_at=at):
                state = state.delivered({s.id for s in state.shipments}, at=at)
                return replace(state, status=S.DELIVERED)
            case ev.OrderCancelled(reason=reason):
                return replace(state, status=S.CANCELLED, cancel_reason=reason)
            case ev.RefundIssued(refund_reference=reference, occurred_at=at):
                return replace(
                    state,
                    status=S.REFUNDED if event.refunded_in_full else state.status,
                    refund_reference=reference,
                    refunded_at=at if event.refunded_in_full else state.refunded_at,
                    refunded_amount=state.refunded_amount + event.amount.amount,
                    refunds=_issued(state.refunds, event),
                )
        return state  # PaymentDeclined, PaymentFailed: the cancellation that follows changes it

    @property
    def amount_due(self) -> Money:
        """What the payment provider is asked for: the total less what gift cards paid."""
        return self.breakdown.amount_due

    @property
    def refunded(self) -> bool:
        """Some refund was issued (all of the money only when the status is refunded)."""
        return self.refund_reference is not None

    @property
    def captured(self) -> Money:
        return Money(self.captured_amount, self.total.currency)

    @property
    def refunded_total(self) -> Money:
        return Money(self.refunded_amount, self.total.currency)

    @property
    def pending_refunds(self) -> tuple[Refund, ...]:
        """Refunds granted whose provider's answer is not recorded yet."""
        return tuple(refund for refund in self.refunds if not refund.issued)

    @property
    def refundable(self) -> Money:
        """What is captured and neither refunded nor promised to a pending refund."""
        pending = sum((r.amount.amount for r in self.pending_refunds), Decimal(0))
        return Money(self.captured_amount - self.refunded_amount - pending, self.total.currency)

    @property
    def awaits_capture(self) -> bool:
        """Authorised by the provider, and neither captured nor voided yet."""
        return (
            self.payment_reference is not None
            and self.captured_at is None
            and self.voided_at is None
        )

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def returnable_from(self) -> datetime | None:
        """When the return window opened (ADR 0039): the latest delivery, or the first parcel's
        shipment while none has arrived; None before anything shipped."""
        return self.last_delivered_at or self.first_shipped_at

    @property
    def shipped_units(self) -> Mapping[str, int]:
        """Units shipped per SKU, summed over the shipments."""
        return shipped_units(self.shipments)

    @property
    def first_shipped_at(self) -> datetime | None:
        return min((s.shipped_at for s in self.shipments), default=None)

    @property
    def last_delivered_at(self) -> datetime | None:
        """When the latest parcel arrived; the order is delivered at this time once all have."""
        return max((s.delivered_at for s in self.shipments if s.delivered_at), default=None)

    def shipment(self, shipment_id: UUID) -> Shipment | None:
        return next((s for s in self.shipments if s.id == shipment_id), None)

    @property
    def awaits_payment(self) -> bool:
        """Still placed, or waiting for its payment: the payment deadline runs."""
        return self.status in UNPAID

    # -- folding shipments --------------------------------------------------------------------

    def dispatched(self, event: ev.ShipmentDispatched) -> "OrderState":
        shipment = Shipment(
            id=event.shipment_id,
            lines=event.lines,
            tracking_number=event.tracking_number,
            carrier=event.carrier,
            location=event.location,
            shipped_at=event.occurred_at,
        )
        return replace(
            self,
            status=S.PARTIALLY_SHIPPED,  # OrderShipped follows when it was the last parcel
            shipments=(*self.shipments, shipment),
            tracking_number=event.tracking_number,
            carrier=event.carrier,
        )

    def shipped_whole(self, event: ev.OrderShipped) -> "OrderState":
        """An order shipped before orders had parcels: one shipment of every unit."""
        whole = Shipment(
            id=legacy_shipment_id(self.id),
            lines=as_lines(units(LineUnits(sku=ln.sku, quantity=ln.quantity) for ln in self.lines)),
            tracking_number=event.tracking_number,
            carrier=event.carrier,
            location=None,
            shipped_at=event.occurred_at,
        )
        return replace(self, shipments=(whole,))

    def delivered(self, ids: set[UUID], *, at: datetime) -> "OrderState":
        shipments = tuple(
            replace(s, delivered_at=at) if s.id in ids and s.delivered_at is None else s
            for s in self.shipments
        )
        return replace(self, shipments=shipments)


def _captured(state: OrderState, amount: Money, reference: str, at: datetime) -> OrderState:
    return replace(
        state,
        captured_amount=state.captured_amount + amount.amount,
        capture_reference=reference,
        captured_at=at,
    )


def _requested(event: ev.RefundRequested) -> Refund:
    return Refund(
        refund_id=event.refund_id,
        amount=event.amount,
        reason=event.reason,
        actor_id=event.actor_id,
        lines=event.lines,
        return_id=event.return_id,
    )


def _issued(refunds: tuple[Refund, ...], event: ev.RefundIssued) -> tuple[Refund, ...]:
    """The requested refund marked issued; a v1 refund (never requested) is added issued."""
    if event.refund_id is not None and any(r.refund_id == event.refund_id for r in refunds):
        return tuple(
            replace(r, refund_reference=event.refund_reference)
            if r.refund_id == event.refund_id
            else r
            for r in refunds
        )
    issued = Refund(
        refund_id=event.refund_id or event.order_id,
        amount=event.amount,
        reason=event.reason,
        actor_id=event.actor_id,
        lines=event.lines,
        return_id=event.return_id,
        refund_reference=event.refund_reference,
    )
    return (*refunds, issued)


def next_state(state: OrderState | None, event: DomainEvent) -> OrderState:
    """The state after one more event; before the first (OrderPlaced) there is none."""
    if state is None:
        assert isinstance(event, ev.OrderPlaced), "an order's stream starts with OrderPlaced"
        return OrderState.placed(event)
    return state.evolve(event)
