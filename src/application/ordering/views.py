"""What ordering's queries and commands return, for the api to render. An order in full is the
domain's OrderState, folded by the aggregate (commands) and the projection (queries) alike."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from domain.ordering import events as ev
from domain.ordering.cart import Cart
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
class CartView:
    """The cart at today's catalog prices; flagged lines need the customer's attention."""

    lines: tuple[CartLineView, ...]
    totals: tuple[Money, ...]  # one per currency
    item_count: int
    ready_for_checkout: bool

    @classmethod
    def priced(cls, cart: Cart, items: Mapping[str, CatalogItem]) -> "CartView":
        """The cart priced by the catalog now. A line whose product was archived, or whose
        price moved since the customer last confirmed it, is flagged and holds up checkout."""
        lines = []
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for line in cart.lines:
            item = items.get(line.sku)
            price = item.price if item else line.confirmed_price
            total = Money(price.amount * line.quantity, price.currency)
            available = item is not None and item.active
            if available:
                totals[price.currency] += total.amount
            lines.append(
                CartLineView(
                    sku=line.sku,
                    product_id=line.product_id,
                    name=item.name if item else line.sku,
                    quantity=line.quantity,
                    unit_price=price,
                    line_total=total,
                    confirmed_price=line.confirmed_price,
                    price_changed=price != line.confirmed_price,
                    available=available,
                )
            )
        return cls(
            lines=tuple(lines),
            totals=tuple(Money(amount, currency) for currency, amount in sorted(totals.items())),
            item_count=sum(line.quantity for line in cart.lines),
            ready_for_checkout=bool(lines)
            and all(line.available and not line.price_changed for line in lines),
        )


class CallbackOutcome(StrEnum):
    """What a payment provider's callback did."""

    APPLIED = "applied"  # recorded (a duplicate changes nothing)
    IGNORED = "ignored"  # no order has that reference


def describe(event: DomainEvent) -> tuple[UUID | None, str]:
    """Who acted (None: the shop itself), and a line a customer reads."""
    match event:
        case ev.OrderPlaced(lines=lines, total=total):
            units = sum(line.quantity for line in lines)
            return None, f"Order placed: {units} item(s), {total.amount} {total.currency}"
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
        case ev.OrderShipped(tracking_number=number, carrier=carrier, actor_id=actor):
            via = f" with {carrier}" if carrier else ""
            return actor, f"Shipped{via}, tracking number {number}"
        case ev.OrderDelivered(actor_id=actor):
            return actor, "Delivered"
        case ev.OrderCancelled(reason=reason, actor_id=actor):
            return actor, f"Cancelled: {reason}"
        case ev.RefundIssued(amount=amount, reason=reason, actor_id=actor):
            return actor, f"Refunded {amount.amount} {amount.currency}: {reason}"
    return None, type(event).__name__
