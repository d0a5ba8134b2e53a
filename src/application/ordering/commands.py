"""Ordering commands: the cart, checkout, what people do to orders, and the named steps of the
fulfilment process (sent by the process, the payment provider's callbacks and the worker)."""

from dataclasses import asdict, dataclass
from uuid import UUID

from application.ordering.views import CallbackOutcome, CartView, PlacedOrder
from application.shared.bus import Command
from application.shared.idempotency import IdempotentRequest, Outcome
from domain.ordering.order import OrderState
from domain.ordering.return_state import ReturnState
from domain.ordering.values import LineUnits, ReceivedUnits, ReturnedUnits, ShippingAddress
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


@dataclass(frozen=True, kw_only=True)
class ChooseCartCurrency(Command[CartView]):
    """Price the cart in this currency from now on; every line is re-priced in it."""

    customer_id: UUID
    currency: str


# -- what people do to orders --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CheckOut(Command[Outcome[PlacedOrder]]):
    """Turn the cart into an order priced by the pipeline (catalog prices, promotions and
    coupons, shipping, taxes, gift cards), spend its coupons and gift cards, and empty the
    cart. Addresses are new or saved ones (an id in the customer's address book); billing
    defaults to shipping. A guest gives an email and is handed the order's access token."""

    customer_id: UUID
    idempotency_key: str
    shipping_address: ShippingAddress | None = None
    shipping_address_id: UUID | None = None
    billing_address: ShippingAddress | None = None
    billing_address_id: UUID | None = None
    shipping_method: str | None = None
    coupon_codes: tuple[str, ...] = ()
    gift_card_codes: tuple[str, ...] = ()
    email: str | None = None  # required of a guest; an account's own email otherwise
    guest: bool = False
    payment_token: str | None = None  # not needed when gift cards pay everything

    def idempotent_request(self) -> IdempotentRequest:
        return IdempotentRequest.of(
            owner_id=self.customer_id,
            key=self.idempotency_key,
            operation="checkout",
            payload=[
                asdict(self.shipping_address) if self.shipping_address else None,
                str(self.shipping_address_id),
                asdict(self.billing_address) if self.billing_address else None,
                str(self.billing_address_id),
                self.shipping_method,
                list(self.coupon_codes),
                list(self.gift_card_codes),
                self.email,
                self.payment_token,
            ],
        )


@dataclass(frozen=True, kw_only=True)
class ClaimGuestOrders(Command[list[OrderState]]):
    """An account with a verified email takes over the guest orders placed with it."""

    customer_id: UUID
    email: str
    email_verified: bool


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
    """Record a shipment of a paid order: `lines` (None: every unit not shipped yet) leave
    from `location` (None: wherever they were allocated). `shipment_id` None: derived from the
    tracking number, so a report sent again names the same shipment (ADR 0038). `actor_id` is
    None when an integration reports it."""

    order_id: UUID
    tracking_number: str
    carrier: str | None
    actor_id: UUID | None
    lines: tuple[LineUnits, ...] | None = None
    location: str | None = None
    shipment_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class MarkDelivered(Command[OrderState]):
    """Record that a shipped order arrived, with every parcel not delivered yet; doing it
    twice changes nothing."""

    order_id: UUID
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class DeliverShipment(Command[OrderState]):
    """Record that one parcel arrived (the order is delivered once all have); doing it twice
    changes nothing."""

    order_id: UUID
    shipment_id: UUID
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class RefundOrder(Command[OrderState]):
    """Give back money taken for an order: `amount` of it (None: all that is left to refund),
    for `lines` when it pays for units, for `return_id` when a received return asks it. Never
    more than was taken less what was refunded before (ADR 0037)."""

    order_id: UUID
    reason: str
    actor_id: UUID | None
    amount: Money | None = None
    lines: tuple[LineUnits, ...] = ()
    return_id: UUID | None = None
    # The caller's Idempotency-Key: asked again with it, the refund it made (or left pending)
    # is the answer, never a second one. A return's refund is named by `return_id` instead.
    idempotency_key: str | None = None


@dataclass(frozen=True, kw_only=True)
class CapturePayment(Command[OrderState]):
    """Take the authorised money: when the order ships, at once after the authorisation
    (PAYMENTS_CAPTURE=immediate), or by staff's hand. Nothing to capture, nothing done."""

    order_id: UUID
    actor_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class VoidPayment(Command[OrderState]):
    """Record that a cancelled order's uncaptured authorisation was released at the provider."""

    order_id: UUID
    reason: str


# -- returns (ADR 0039) ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RequestReturn(Command[ReturnState]):
    """Ask back some shipped units of an order: its customer, or staff (`any_order`)."""

    order_id: UUID
    actor_id: UUID
    any_order: bool
    lines: tuple[ReturnedUnits, ...]


@dataclass(frozen=True, kw_only=True)
class ApproveReturn(Command[ReturnState]):
    """Staff accept a requested return; approving it again changes nothing."""

    return_id: UUID
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class RefuseReturn(Command[ReturnState]):
    """Staff refuse a requested return; its units may be asked back again."""

    return_id: UUID
    reason: str
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class ReceiveReturn(Command[ReturnState]):
    """Staff record the units that came back, each restocked at a location or written off;
    the refund is computed and paid by the process next."""

    return_id: UUID
    units: tuple[ReceivedUnits, ...]
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class MarkReturnRefunded(Command[ReturnState]):
    """The process's last step: the order's refund for the return was issued."""

    return_id: UUID
    refund_reference: str


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
class SkipPayment(Command[OrderState]):
    """Nothing is left to pay (gift cards or discounts covered it): paid without the provider."""

    order_id: UUID


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
class CancelExpiredAuthorisations(Command[int]):
    """Cancel (and so void) every paid, uncaptured order whose authorisation outlived its
    validity; returns how many it cancelled."""

    batch: int = 100


@dataclass(frozen=True, kw_only=True)
class RecordCapture(Command[OrderState]):
    """The provider reported a capture (its callback); recording it twice changes nothing."""

    order_id: UUID
    capture_reference: str


@dataclass(frozen=True, kw_only=True)
class RecordRefund(Command[OrderState]):
    """The provider reported paying a requested refund back (its callback)."""

    order_id: UUID
    refund_id: UUID
    refund_reference: str


@dataclass(frozen=True, kw_only=True)
class CompletePendingRefunds(Command[int]):
    """Ask the provider again for every refund left requested and not issued (a crash or an
    outage in between), under the refund's own key; returns how many orders it settled."""

    batch: int = 100


@dataclass(frozen=True, kw_only=True)
class ExpireAuthorisation(Command[OrderState]):
    """A paid order's authorisation outlived its validity before capture: the order is
    cancelled, and the process voids the authorisation."""

    order_id: UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class ForgetIdempotencyKeys(Command[int]):
    """Forget stored answers whose keys expired; returns how many."""
