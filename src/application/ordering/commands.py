"""Ordering commands: the cart, checkout, what people do to orders, and the named steps of the
fulfilment process (sent by the process, the payment provider's callbacks and the worker)."""

from dataclasses import asdict, dataclass
from uuid import UUID

from application.ordering.views import CallbackOutcome, CartView
from application.shared.bus import Command
from application.shared.idempotency import IdempotentRequest, Outcome
from domain.ordering.order import OrderState
from domain.ordering.values import ShippingAddress
from domain.shared.money import Money

# -- the cart ------------------------------------------------------------------------------


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


# -- what people do to orders --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CheckOut(Command[Outcome[OrderState]]):
    """Turn the cart into an order at the catalog's prices, and empty the cart."""

    customer_id: UUID
    idempotency_key: str
    shipping_address: ShippingAddress
    payment_token: str

    def idempotent_request(self) -> IdempotentRequest:
        return IdempotentRequest.of(
            owner_id=self.customer_id,
            key=self.idempotency_key,
            operation="checkout",
            payload=[asdict(self.shipping_address), self.payment_token],
        )


@dataclass(frozen=True, kw_only=True)
class CancelOrder(Command[Outcome[OrderState]]):
    """By its customer (before shipping) or by staff (`any_order`)."""

    order_id: UUID
    actor_id: UUID
    any_order: bool
    reason: str
    idempotency_key: str

    def idempotent_request(self) -> IdempotentRequest:
        return IdempotentRequest.of(
            owner_id=self.actor_id,
            key=self.idempotency_key,
            operation=f"cancel:{self.order_id}",
            payload=self.reason,
        )


@dataclass(frozen=True, kw_only=True)
class ShipOrder(Command[OrderState]):
    """Record a paid order's shipment; `actor_id` is None when an integration reports it."""

    order_id: UUID
    tracking_number: str
    carrier: str | None
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class MarkDelivered(Command[OrderState]):
    """Record that a shipped order arrived; doing it twice changes nothing."""

    order_id: UUID
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class RefundOrder(Command[OrderState]):
    """Give back a paid order's money, or that of an order cancelled after payment."""

    order_id: UUID
    reason: str
    actor_id: UUID


# -- steps of the fulfilment process (each idempotent: asked twice, nothing new happens) ---


@dataclass(frozen=True, kw_only=True)
class ConfirmStock(Command[OrderState]):
    """Inventory holds every line: the order waits for its payment from now on."""

    order_id: UUID


@dataclass(frozen=True, kw_only=True)
class RejectStock(Command[OrderState]):
    """Inventory could not hold every line: the order ends here."""

    order_id: UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class RecordPayment(Command[OrderState]):
    """The provider took the money (also for an order cancelled meanwhile: it becomes
    refundable); the payment token is forgotten in the same transaction."""

    order_id: UUID
    payment_reference: str
    amount: Money


@dataclass(frozen=True, kw_only=True)
class DeclinePayment(Command[OrderState]):
    """The provider refused the payment: the order is cancelled, its token forgotten."""

    order_id: UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class FailPayment(Command[OrderState]):
    """The provider could not be reached after retries: the order is cancelled."""

    order_id: UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class ExpirePayment(Command[OrderState]):
    """Still unpaid after the payment timeout: the shop gives up on the order."""

    order_id: UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class HandlePaymentCallback(Command[CallbackOutcome]):
    """A provider's callback: its raw body and signature header, for the payment adapter."""

    body: bytes
    signature: str | None


# -- the worker's rounds ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CancelUnpaidOrders(Command[int]):
    """Expire the payment of every order whose deadline passed; returns how many it cancelled."""

    batch: int = 100


@dataclass(frozen=True, kw_only=True)
class ForgetIdempotencyKeys(Command[int]):
    """Forget stored answers whose keys expired; returns how many."""
