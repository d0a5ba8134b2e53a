"""Ordering commands: the cart, checkout, and what people do to orders."""

from dataclasses import dataclass
from uuid import UUID

from application.ordering.views import CartView, OrderView
from application.shared.bus import Command
from application.shared.idempotency import Outcome
from domain.ordering.values import ShippingAddress


@dataclass(frozen=True, kw_only=True)
class SetCartLine(Command[CartView]):
    """Put a SKU in the cart at this quantity; the customer accepts its current price."""

    customer_id: UUID
    sku: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class RemoveCartLine(Command[CartView]):
    """Take a SKU out of the cart; one that is not in it is refused (NotInCart)."""

    customer_id: UUID
    sku: str


@dataclass(frozen=True, kw_only=True)
class ClearCart(Command[CartView]):
    """Empty the customer's cart in one step."""

    customer_id: UUID


@dataclass(frozen=True, kw_only=True)
class CheckOut(Command[Outcome[OrderView]]):
    """Turn the cart into an order at the catalog's prices, and empty the cart."""

    customer_id: UUID
    idempotency_key: str
    shipping_address: ShippingAddress
    payment_token: str


@dataclass(frozen=True, kw_only=True)
class CancelOrder(Command[Outcome[OrderView]]):
    """By its customer (before shipping) or by staff (`any_order`)."""

    order_id: UUID
    actor_id: UUID
    any_order: bool
    reason: str
    idempotency_key: str


@dataclass(frozen=True, kw_only=True)
class ShipOrder(Command[OrderView]):
    """Record a paid order's shipment; `actor_id` is None when an integration reports it."""

    order_id: UUID
    tracking_number: str
    carrier: str | None
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class MarkDelivered(Command[OrderView]):
    """Record that a shipped order arrived; doing it twice changes nothing."""

    order_id: UUID
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class RefundOrder(Command[OrderView]):
    """Give back a paid order's money, or that of an order cancelled after payment."""

    order_id: UUID
    reason: str
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class HandlePaymentWebhook(Command[str]):
    """A provider's callback: the raw body and its signature header. Returns what was done."""

    body: bytes
    signature: str | None


@dataclass(frozen=True, kw_only=True)
class CancelUnpaidOrders(Command[int]):
    """The worker's sweep: cancel orders that waited too long for their payment."""

    batch: int = 100
