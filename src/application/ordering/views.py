"""What ordering queries and commands return: plain, immutable data for the api to render."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.ordering.order import Order
from domain.ordering.values import OrderLine, OrderStatus, ShippingAddress
from domain.shared.money import Money


@dataclass(frozen=True, kw_only=True)
class OrderView:
    """One order in full: built from the aggregate after a command (read-your-writes) and from
    the projection by queries, with the same fields."""

    id: UUID
    customer_id: UUID
    status: OrderStatus
    lines: tuple[OrderLine, ...]
    total: Money
    shipping_address: ShippingAddress
    payment_reference: str | None
    tracking_number: str | None
    carrier: str | None
    cancel_reason: str | None
    refunded: bool
    placed_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, order: Order) -> "OrderView":
        s = order.state
        return cls(
            id=s.id,
            customer_id=s.customer_id,
            status=s.status,
            lines=s.lines,
            total=s.total,
            shipping_address=s.shipping_address,
            payment_reference=s.payment_reference,
            tracking_number=s.tracking_number,
            carrier=s.carrier,
            cancel_reason=s.cancel_reason,
            refunded=s.refund_reference is not None,
            placed_at=s.placed_at,
            updated_at=s.updated_at,
            version=order.version,
        )


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
class CatalogItem:
    """What the catalog says about a SKU right now."""

    product_id: UUID
    sku: str
    name: str
    price: Money
    active: bool


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
