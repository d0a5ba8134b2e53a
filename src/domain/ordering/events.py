"""Everything that happens to an order, in the past tense. The order's state is a fold over
these; each carries what a reader of the history needs (lines, totals, who, why)."""

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from domain.ordering.pricing.breakdown import Breakdown
from domain.ordering.pricing.inputs import PricingInput
from domain.ordering.values import OrderLine, ShippingAddress
from domain.shared.events import DomainEvent
from domain.shared.money import Money


@dataclass(frozen=True, kw_only=True)
class OrderEvent(DomainEvent):
    """Base of the order's events; each belongs to the stream of one order."""

    order_id: UUID


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(OrderEvent):
    """A customer checked out: the lines at the catalog's prices, the total, the address; and
    (schema v2) the price pipeline's inputs frozen as they were, and the breakdown they gave,
    so the order's every number can be shown and recomputed (ADR 0036)."""

    # v1 had no pricing, breakdown, billing address, email or guest flag.
    SCHEMA_VERSION: ClassVar[int] = 2

    customer_id: UUID
    lines: tuple[OrderLine, ...]
    total: Money
    shipping_address: ShippingAddress
    pricing: PricingInput
    breakdown: Breakdown
    billing_address: ShippingAddress
    email: str | None = None
    guest: bool = False


@dataclass(frozen=True, kw_only=True)
class OrderStockReserved(OrderEvent):
    """Inventory holds every line; the order now waits for its payment."""


@dataclass(frozen=True, kw_only=True)
class OrderStockRejected(OrderEvent):
    """Inventory could not hold every line; the order ends here."""

    reason: str


@dataclass(frozen=True, kw_only=True)
class PaymentAuthorized(OrderEvent):
    """The provider took the money. Also recorded for an order cancelled in the meantime,
    which then awaits a refund."""

    payment_reference: str
    amount: Money


@dataclass(frozen=True, kw_only=True)
class PaymentDeclined(OrderEvent):
    """The provider refused the payment; the order is cancelled next."""

    reason: str


@dataclass(frozen=True, kw_only=True)
class PaymentFailed(OrderEvent):
    """The provider could not be reached or did not answer in time (after retries)."""

    reason: str


@dataclass(frozen=True, kw_only=True)
class PaymentSkipped(OrderEvent):
    """Nothing was left to pay (gift cards or discounts covered the total): the provider was
    not asked, and the order is paid next."""


@dataclass(frozen=True, kw_only=True)
class OrderClaimed(OrderEvent):
    """A guest's order now belongs to the account that proved it owns the order's email."""

    customer_id: UUID
    previous_customer_id: UUID
    email: str


@dataclass(frozen=True, kw_only=True)
class OrderPaid(OrderEvent):
    """The order's payment is in; the order can ship."""

    payment_reference: str


@dataclass(frozen=True, kw_only=True)
class OrderShipped(OrderEvent):
    """The parcel left; `actor_id` is None when an integration reported it."""

    tracking_number: str
    carrier: str | None
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class OrderDelivered(OrderEvent):
    """The parcel arrived; `actor_id` is None when an integration reported it."""

    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(OrderEvent):
    """`actor_id` is None when the shop itself cancelled (declined payment, timeout)."""

    reason: str
    actor_id: UUID | None
    after_payment: bool


@dataclass(frozen=True, kw_only=True)
class RefundIssued(OrderEvent):
    """The order's total went back to the customer; an order is refunded once."""

    amount: Money
    refund_reference: str
    reason: str
    actor_id: UUID | None


ORDER_EVENTS: tuple[type[OrderEvent], ...] = (
    OrderPlaced,
    OrderStockReserved,
    OrderStockRejected,
    PaymentAuthorized,
    PaymentDeclined,
    PaymentFailed,
    OrderPaid,
    OrderShipped,
    OrderDelivered,
    OrderCancelled,
    RefundIssued,
    PaymentSkipped,
    OrderClaimed,
)
EVENTS: tuple[type[DomainEvent], ...] = ORDER_EVENTS
