"""What ordering's queries and commands return, for the api to render. An order in full is the
domain's OrderState, folded by the aggregate (commands) and the projection (queries) alike."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from domain.ordering import events as ev
from domain.ordering.cart import Cart
from domain.ordering.order import OrderState
from domain.ordering.pricing.breakdown import Breakdown
from domain.ordering.pricing.inputs import ShippingOption
from domain.ordering.values import CatalogItem, OrderStatus
from domain.shared.events import DomainEvent
from domain.shared.money import Money


@dataclass(frozen=True, kw_only=True)
class OrderSummary:
    """A row of an order list."""

    id: UUID
    customer_id: UUID
    status: OrderStatus
    total: Money
    item_count: int
    placed_at: datetime
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class TimelineEntry:
    """One event of an order, in words."""

    version: int
    event_type: str
    status: OrderStatus
    occurred_at: datetime
    actor_id: UUID | None
    summary: str
    return_id: UUID | None = None  # an event of one of the order's returns (ADR 0039)


@dataclass(frozen=True, kw_only=True)
class ReturnTimelineEntry:
    """One event of one of an order's returns, in words."""

    return_id: UUID
    event_type: str
    occurred_at: datetime
    actor_id: UUID | None
    summary: str


@dataclass(frozen=True, kw_only=True)
class OrderUpdate:
    """One change of one order, as live feeds send it. `version` is the event's place in the
    order's stream: the SSE event id, and where a reconnecting client resumes."""

    order_id: UUID
    customer_id: UUID
    version: int
    event_type: str
    status: OrderStatus
    occurred_at: datetime
    summary: str


@dataclass(frozen=True, kw_only=True)
class OrderSearch:
    """Staff search; every filter is optional. `customer_id` alone is a customer's own list."""

    customer_id: UUID | None = None
    status: OrderStatus | None = None
    placed_from: datetime | None = None
    placed_to: datetime | None = None
    min_total: Money | None = None
    max_total: Money | None = None
    awaiting_refund: bool = False  # cancelled after the money was taken, not refunded yet
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True, kw_only=True)
class CartLineView:
    """One cart line at today's price, flagged when the price moved or the product is gone."""

    sku: str
    product_id: UUID
    name: str
    quantity: int
    unit_price: Money
    line_total: Money
    confirmed_price: Money
    price_changed: bool
    available: bool


@dataclass(frozen=True, kw_only=True)
class ShippingChoice:
    """A shipping method offered to the destination asked about."""

    code: str
    name: str
    kind: str


@dataclass(frozen=True, kw_only=True)
class CartView:
    """The cart at today's catalog prices in its currency; flagged lines need the customer's
    attention. `breakdown` is what the price pipeline makes of the lines that can be bought,
    with the destination and codes asked about: what checkout would charge."""

    lines: tuple[CartLineView, ...]
    totals: tuple[Money, ...]  # the lines' total in the cart's currency (none when empty)
    item_count: int
    ready_for_checkout: bool
    currency: str
    breakdown: Breakdown | None = None  # None for an empty cart
    shipping_options: tuple[ShippingChoice, ...] = ()

    @classmethod
    def priced(cls, cart: Cart, items: Mapping[str, CatalogItem], *, currency: str) -> "CartView":
        """The cart priced by the catalog now. A line whose product was archived, whose price
        moved since the customer last confirmed it, or that has no price in the cart's
        currency any more, is flagged and holds up checkout."""
        lines = []
        total: Decimal | None = None  # None until a line can be bought
        for line in cart.lines:
            item = items.get(line.sku)
            now = item.price_in(line.confirmed_price.currency) if item else None
            price = now or line.confirmed_price
            line_total = Money(price.amount * line.quantity, price.currency)
            available = item is not None and item.active and now is not None
            if available:
                total = (total or Decimal(0)) + line_total.amount
            lines.append(
                CartLineView(
                    sku=line.sku,
                    product_id=line.product_id,
                    name=item.name if item else line.sku,
                    quantity=line.quantity,
                    unit_price=price,
                    line_total=line_total,
                    confirmed_price=line.confirmed_price,
                    price_changed=price != line.confirmed_price,
                    available=available,
                )
            )
        return cls(
            lines=tuple(lines),
            totals=() if total is None else (Money.of(total, currency),),
            item_count=sum(line.quantity for line in cart.lines),
            ready_for_checkout=bool(lines)
            and all(line.available and not line.price_changed for line in lines),
            currency=currency,
        )

    def with_breakdown(self, breakdown: Breakdown, offered: Sequence[ShippingOption]) -> "CartView":
        choices = tuple(ShippingChoice(code=o.code, name=o.name, kind=o.kind) for o in offered)
        return replace(self, breakdown=breakdown, shipping_options=choices)


@dataclass(frozen=True, kw_only=True)
class PlacedOrder(OrderState):
    """Checkout's answer: the order, and for a guest the order's access token (the only time
    it is shown; only its hash is stored with the order)."""

    access_token: str | None = None

    @classmethod
    def of(cls, state: OrderState, *, access_token: str | None) -> "PlacedOrder":
        return cls(
            **{f.name: getattr(state, f.name) for f in fields(state)}, access_token=access_token
        )


class CallbackOutcome(StrEnum):
    """What a payment provider's callback did."""

    APPLIED = "applied"  # recorded (a duplicate changes nothing)
    IGNORED = "ignored"  # no order has that reference


def describe(event: DomainEvent, state: OrderState | None = None) -> tuple[UUID | None, str]:
    """Who acted (None: the shop itself), and a line a customer reads; `state`, the order
    right after the event, names the parcel a delivery is of."""
    match event:
        case ev.OrderPlaced(lines=lines, breakdown=breakdown):
            units = sum(line.quantity for line in lines)
            return None, f"Order placed: {units} item(s), {how_reached(breakdown)}"
        case ev.PaymentSkipped():
            return None, "Nothing left to pay: no payment was taken"
        case ev.OrderClaimed(email=email):
            return None, f"Claimed by the account of {email}"
        case ev.OrderStockReserved():
            return None, "Items reserved in the warehouse; waiting for payment"
        case ev.OrderStockRejected(reason=reason):
            return None, f"Order rejected: {reason}"
        case ev.PaymentAuthorized(amount=amount, payment_reference=reference):
            return None, f"Payment of {amount.amount} {amount.currency} authorized ({reference})"
        case ev.PaymentDeclined(reason=reason):
            return None, f"Payment declined: {reason}"
        case ev.PaymentFailed(reason=reason):
            return None, f"Payment could not be taken: {reason}"
        case ev.OrderPaid():
            return None, "Order paid"
        case ev.ShipmentDispatched(
            lines=lines, tracking_number=number, carrier=carrier, location=location, actor_id=actor
        ):
            via = f" with {carrier}" if carrier else ""
            where = f" from {location}" if location else ""
            parcel_units = ", ".join(f"{line.quantity} x {line.sku}" for line in lines)
            return actor, f"Parcel of {parcel_units} left{where}{via}, tracking number {number}"
        case ev.ShipmentDelivered(shipment_id=shipment_id, actor_id=actor):
            parcel = state.shipment(shipment_id) if state else None
            named = f"tracking number {parcel.tracking_number}" if parcel else str(shipment_id)
            return actor, f"Parcel delivered, {named}"
        case ev.OrderShipped(tracking_number=number, carrier=carrier, actor_id=actor):
            if state is not None and len(state.shipments) > 1:
                return actor, f"Every item has shipped, in {len(state.shipments)} parcels"
            via = f" with {carrier}" if carrier else ""
            return actor, f"Shipped{via}, tracking number {number}"
        case ev.OrderDelivered(actor_id=actor):
            return actor, "Delivered"
        case ev.OrderCancelled(reason=reason, actor_id=actor):
            return actor, f"Cancelled: {reason}"
        case ev.PaymentCaptured(amount=amount, capture_reference=reference, actor_id=actor):
            return actor, f"Payment of {amount.amount} {amount.currency} captured ({reference})"
        case ev.PaymentVoided(reason=reason, actor_id=actor):
            return actor, f"Payment authorisation released, nothing was charged: {reason}"
        case ev.RefundRequested(amount=amount, reason=reason, actor_id=actor):
            return actor, f"Refund of {amount.amount} {amount.currency} requested: {reason}"
        case ev.RefundIssued(amount=amount, reason=reason, actor_id=actor):
            whole = " (all of the payment)" if event.refunded_in_full else ""
            for_ = " for a return" if event.return_id else ""
            return actor, f"Refunded {amount.amount} {amount.currency}{whole}{for_}: {reason}"
    return None, type(event).__name__


def describe_return(event: ev.ReturnEvent) -> tuple[UUID | None, str]:
    """A return's event in words, for its order's timeline: who, which units, the refund."""
    match event:
        case ev.ReturnRequested(lines=lines, actor_id=actor):
            asked = ", ".join(f"{line.quantity} x {line.sku} ({line.reason})" for line in lines)
            return actor, f"Return requested: {asked}"
        case ev.ReturnApproved(actor_id=actor):
            return actor, "Return approved"
        case ev.ReturnRefused(reason=reason, actor_id=actor):
            return actor, f"Return refused: {reason}"
        case ev.ReturnReceived(units=units, refund=refund, actor_id=actor):
            came = ", ".join(
                f"{unit.quantity} x {unit.sku} "
                + (f"restocked at {unit.location}" if unit.location else "written off")
                for unit in units
            )
            return actor, f"Return received: {came}; refund {refund}"
        case ev.ReturnRefunded(amount=amount, refund_reference=reference):
            return None, f"Return refunded: {amount} ({reference})"
    return None, type(event).__name__


def how_reached(b: Breakdown) -> str:
    """The breakdown in words: "goods 50.00 EUR - discounts 5.00 EUR + shipping 4.90 EUR (incl.
    VAT 7.96 EUR) = total 49.90 EUR - gift cards 20.00 EUR = due 29.90 EUR"."""
    words = [f"goods {b.subtotal}"]
    if b.discount_total.amount:
        words.append(f"- discounts {b.discount_total}")
    if b.shipping is not None:
        words.append(f"+ shipping {b.shipping.total}")
    if b.tax_total.amount:
        taxes = ", ".join(f"{t.name} {t.rate.normalize():f}% {t.amount}" for t in b.taxes)
        words.append(f"(incl. {taxes})" if b.prices_include_tax else f"+ {taxes}")
    words.append(f"= total {b.total}")
    if b.gift_card_total.amount:
        words += [f"- gift cards {b.gift_card_total}", f"= due {b.amount_due}"]
    return " ".join(words)
