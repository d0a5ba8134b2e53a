"""Everything that happens to an order, in the past tense. The order's state is a fold over
these; each carries what a reader of the history needs (lines, totals, who, why)."""

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from domain.ordering.pricing.breakdown import Breakdown
from domain.ordering.pricing.inputs import PricingInput
from domain.ordering.values import (
    LineUnits,
    OrderLine,
    ReceivedUnits,
    ReturnedUnits,
    ShippingAddress,
)
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
    """The provider secured the money (schema v2: an authorisation, captured later unless
    `captured`; v1 meant the charge itself, read as `captured`, ADR 0037). Also recorded for an
    order cancelled in the meantime, which then has it voided."""

    SCHEMA_VERSION: ClassVar[int] = 2

    payment_reference: str
    amount: Money
    captured: bool = False


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
    """Money went back to the customer: the whole captured amount, or part of it, for some
    units (`lines`) or by staff's judgement; `return_id` names the return it pays for. Refunds
    of one order never add up to more than was taken (ADR 0037)."""

    # v1 was always the whole order's refund: read as `refunded_in_full`, without a request.
    SCHEMA_VERSION: ClassVar[int] = 2

    amount: Money
    refund_reference: str
    reason: str
    actor_id: UUID | None
    lines: tuple[LineUnits, ...] = ()
    return_id: UUID | None = None
    refund_id: UUID | None = None  # the RefundRequested it completes
    refunded_in_full: bool = False  # everything captured is now refunded; gift cards go back


@dataclass(frozen=True, kw_only=True)
class RefundRequested(OrderEvent):
    """A refund was granted against what is left of the captured money, before the provider
    is asked for it under `refund-<refund_id>`; RefundIssued completes it (ADR 0037)."""

    refund_id: UUID
    amount: Money
    reason: str
    actor_id: UUID | None
    lines: tuple[LineUnits, ...] = ()
    return_id: UUID | None = None


# -- the payment lifecycle (ADR 0037) -------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PaymentCaptured(OrderEvent):
    """The provider moved authorised money to the shop: all of the authorisation, or part."""

    payment_reference: str
    amount: Money
    capture_reference: str
    actor_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class PaymentVoided(OrderEvent):
    """The authorisation was released before anything was captured: no money moved."""

    payment_reference: str
    reason: str
    actor_id: UUID | None = None


# -- shipments (ADR 0038) --------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ShipmentDispatched(OrderEvent):
    """A parcel left with some units of some lines, from one stock location. The order is
    shipped (OrderShipped follows) once every unit has left."""

    shipment_id: UUID
    lines: tuple[LineUnits, ...]
    tracking_number: str
    carrier: str | None
    location: str | None
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class ShipmentDelivered(OrderEvent):
    """One parcel arrived. The order is delivered (OrderDelivered follows) once all have."""

    shipment_id: UUID
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
    PaymentCaptured,
    PaymentVoided,
    ShipmentDispatched,
    ShipmentDelivered,
    RefundRequested,
)


# -- returns: each return is its own stream beside its order's (ADR 0039) ------------------


@dataclass(frozen=True, kw_only=True)
class ReturnEvent(DomainEvent):
    """Base of a return's events; each belongs to the stream of one return of one order."""

    return_id: UUID
    order_id: UUID


@dataclass(frozen=True, kw_only=True)
class ReturnRequested(ReturnEvent):
    """A customer asked to send back some units of some shipped lines."""

    customer_id: UUID
    lines: tuple[ReturnedUnits, ...]
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class ReturnApproved(ReturnEvent):
    """Staff accepted the return: the customer may send the units."""

    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class ReturnRefused(ReturnEvent):
    """Staff refused the return; it ends here."""

    reason: str
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class ReturnReceived(ReturnEvent):
    """The units came back; each was restocked at a location or written off. The refund for
    them, computed from the order's frozen breakdown, is issued next."""

    units: tuple[ReceivedUnits, ...]
    refund: Money
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class ReturnRefunded(ReturnEvent):
    """The order's refund for this return was issued; the return is closed."""

    refund_reference: str
    amount: Money


RETURN_EVENTS: tuple[type[ReturnEvent], ...] = (
    ReturnRequested,
    ReturnApproved,
    ReturnRefused,
    ReturnReceived,
    ReturnRefunded,
)
EVENTS: tuple[type[DomainEvent], ...] = ORDER_EVENTS + RETURN_EVENTS
