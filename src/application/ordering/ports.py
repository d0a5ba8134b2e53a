"""What ordering needs from the outside world: storage, the catalog's prices, inventory's stock,
a payment provider and its callbacks, the live feed. Ordering never names their adapters."""

import asyncio
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from application.ordering.views import (
    OrderSearch,
    OrderSummary,
    OrderUpdate,
    ReturnTimelineEntry,
    TimelineEntry,
)
from application.shared.errors import ApplicationError, TooManyAttempts, Unavailable
from application.shared.idempotency import IdempotencyKeys
from application.shared.pagination import Page
from application.shared.unit_of_work import UnitOfWork
from domain.ordering.cart import Cart
from domain.ordering.order import Order, OrderState
from domain.ordering.pricing.breakdown import GiftCardCharge
from domain.ordering.pricing.inputs import (
    GiftCardBalance,
    PromotionRule,
    ShippingOption,
    TaxTable,
)
from domain.ordering.returns import Return, ReturnState
from domain.ordering.values import CatalogItem, LineUnits, ReturnStatus, ShippingAddress
from domain.shared.money import Money

# -- storage ---------------------------------------------------------------------------------


class OrderRepository(Protocol):
    """Orders as event streams, loaded by replay under the stream's lock; the unit of work
    appends their new events at commit, after the version they were loaded at."""

    async def get(self, order_id: UUID) -> Order | None: ...

    async def add(self, order: Order) -> None: ...


class ReturnRepository(Protocol):
    """Returns as event streams like orders; `get` locks the return's stream, `of_order` reads
    the order's returns without locking them (commands that need them hold the order's lock)."""

    async def get(self, return_id: UUID) -> Return | None: ...

    async def add(self, aggregate: Return) -> None: ...

    async def of_order(self, order_id: UUID) -> list[ReturnState]: ...


class CartRepository(Protocol):
    """Carts, one per customer; `get` locks one until the transaction ends (empty if none yet)."""

    async def get(self, customer_id: UUID) -> Cart: ...

    async def save(self, cart: Cart) -> None: ...


class PaymentMethods(Protocol):
    """The payment token given at checkout, kept out of the event log (and so out of Kafka), and
    forgotten in the transaction that records the payment's final answer, never before."""

    async def put(self, order_id: UUID, token: str) -> None: ...

    async def get(self, order_id: UUID) -> str | None: ...

    async def forget(self, order_id: UUID) -> None: ...


class PaymentDeadlines(Protocol):
    """The fulfilment process's clock: since when each unpaid order has waited for its
    payment (and, the same way, each authorisation for its capture, each requested refund for
    its answer). Kept with the orders, so no order waits forever whatever else has stopped."""

    async def start(self, order_id: UUID, *, since: datetime) -> None:
        """Start (or restart) the wait."""

    async def clear(self, order_id: UUID) -> None: ...

    async def due(self, cutoff: datetime, *, limit: int) -> list[UUID]:
        """Orders waiting since before `cutoff`, longest first."""


class OrderAccess(Protocol):
    """Guest orders' access tokens, stored hashed, with the email each was placed with."""

    async def grant(self, order_id: UUID, *, token_hash: str, email: str) -> None: ...

    async def token_hash(self, order_id: UUID) -> str | None: ...

    async def placed_with(self, email: str) -> list[UUID]:
        """The guest orders placed with this email (any case), oldest first."""


class PricingSources(Protocol):
    """Where the price pipeline's inputs come from, all on one connection: the catalog's
    prices and the other contexts' rules (ADR 0028, ADR 0036)."""

    @property
    def catalog(self) -> "Catalog": ...

    @property
    def taxes(self) -> "TaxRates": ...

    @property
    def shipping(self) -> "ShippingOptions": ...

    @property
    def promotions(self) -> "Promotions": ...

    @property
    def gift_cards(self) -> "GiftCards": ...


class OrderingUnitOfWork(UnitOfWork, PricingSources, Protocol):
    """One transaction over orders, carts, payment tokens and deadlines, and idempotency keys;
    the catalog's prices and the pipeline's rules are read in it too (checkout prices the
    order as they are), and coupons and gift cards are spent in it."""

    @property
    def addresses(self) -> "AddressBook": ...

    @property
    def access(self) -> OrderAccess: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def carts(self) -> CartRepository: ...

    @property
    def returns(self) -> ReturnRepository: ...

    @property
    def payment_methods(self) -> PaymentMethods: ...

    @property
    def deadlines(self) -> PaymentDeadlines: ...

    @property
    def idempotency(self) -> IdempotencyKeys: ...

    @property
    def backlog(self) -> "FulfilmentBacklog": ...

    @property
    def captures(self) -> PaymentDeadlines:
        """Since when each paid order's authorisation waits for its capture (ADR 0037)."""

    @property
    def pending_refunds(self) -> PaymentDeadlines:
        """Since when each order with a refund requested waits for the provider's answer."""


class OrderingUnitOfWorkFactory(Protocol):
    """Opens a fresh unit of work for each command."""

    def __call__(self) -> OrderingUnitOfWork: ...


# -- other contexts ------------------------------------------------------------------------


class Catalog(Protocol):
    """The catalog's current name, price and availability of each SKU it knows (served by the
    catalog context); an unknown SKU is left out."""

    async def items(self, skus: Iterable[str]) -> dict[str, CatalogItem]: ...


class Stock(Protocol):
    """Inventory, as ordering needs it (served by the inventory context). Inventory settles a
    reservation itself as the order's published events tell it (paid, shipped, cancelled)."""

    async def reserve(
        self, order_id: UUID, lines: list[tuple[str, int]], *, hold_for: timedelta
    ) -> str | None:
        """Every line or none, once per order; None if held, else why (shown to the customer)."""

    async def release(self, order_id: UUID) -> None:
        """Give back what an order that can no longer take it holds; nothing held, nothing done."""

    async def check_shipment(
        self, order_id: UUID, lines: Sequence[LineUnits], location: str | None
    ) -> str | None:
        """None when `location` (None: wherever the order's units were allocated) holds the
        order's reserved units of `lines`; else why not, shown to staff as a 409."""

    async def location_exists(self, code: str) -> bool:
        """Whether a stock location has this code (active or not)."""


class LocationLacksUnits(ApplicationError):
    """The stock location a shipment leaves from does not hold the order's units of it."""


# -- the price pipeline's rules, served by other contexts on ordering's connection (ADR 0028) --


class TaxRates(Protocol):
    """The taxes context's rates at a destination, and how the currency's prices are entered."""

    async def table(self, *, country: str, region: str | None, currency: str) -> TaxTable: ...


class ShippingOptions(Protocol):
    """The shipping context's active methods offered to a country, priced in a currency."""

    async def offered(self, *, country: str, currency: str) -> list[ShippingOption]: ...

    async def any_active(self) -> bool:
        """Whether the shop has any active method at all: a shop with none charges no
        shipping, one with some ships only with a method offered to the address (ADR 0036)."""


class Promotions(Protocol):
    """The promotions context: what applies to a cart, and counting each coupon's uses."""

    async def applicable(
        self,
        *,
        currency: str,
        coupon_codes: Sequence[str],
        customer_id: UUID,
        email: str | None,
        now: datetime,
    ) -> list[PromotionRule]:
        """The automatic promotions live at `now`, and those of the given codes; a code that
        is unknown, outside its window or used up raises a `CouponNotApplicable`."""

    async def redeem(
        self,
        coupon_codes: Sequence[str],
        *,
        order_id: UUID,
        customer_id: UUID,
        email: str | None,
        now: datetime,
    ) -> None:
        """One use of each code for this order, taken atomically against the code's limit and
        its per-customer limit in the caller's transaction; `CouponExpired` if the code's
        promotion is no longer live at `now`, `CouponUsedUp` if no use is left."""


class GiftCards(Protocol):
    """The gift cards context: balances by code, and debits that never go below zero."""

    async def balances(
        self, codes: Sequence[str], *, currency: str, now: datetime
    ) -> list[GiftCardBalance]:
        """In the order given; an unknown, disabled or expired card, or one in another
        currency, raises `GiftCardNotUsable`."""

    async def debit(
        self, charges: Sequence[GiftCardCharge], *, order_id: UUID, now: datetime
    ) -> None:
        """Each charge taken from its card in the caller's transaction, atomically;
        `GiftCardBalanceTooLow` if a card no longer holds its charge."""


class AddressBook(Protocol):
    """The identity context's saved addresses of a customer."""

    async def address(self, *, customer_id: UUID, address_id: UUID) -> ShippingAddress | None:
        """The customer's saved address, or None if it is not theirs or does not exist."""

    async def default(self, *, customer_id: UUID, kind: str) -> ShippingAddress | None:
        """The customer's default address of `kind` (`shipping` or `billing`), or None if they
        chose none (a guest never has one)."""


class CouponNotApplicable(ApplicationError):
    """A coupon code that cannot be used on this cart now."""


class UnknownCoupon(CouponNotApplicable):
    """No coupon has this code."""


class CouponExpired(CouponNotApplicable):
    """The code's promotion is outside its validity window, or was ended by staff."""


class CouponUsedUp(CouponNotApplicable):
    """The code reached its limit of uses, or this customer's limit."""


class GiftCardNotUsable(ApplicationError):
    """No such card, or it is disabled, expired or in another currency."""


class GiftCardBalanceTooLow(ApplicationError):
    """The card holds less than the order would take from it (someone else spent it)."""


# -- the payment provider ------------------------------------------------------------------


class PaymentUnavailable(Unavailable):
    """The provider could not be reached, did not answer in time, or its circuit is open."""


# -- backpressure ------------------------------------------------------------------------------


class FulfilmentBacklog(Protocol):
    """How many orders were accepted and are not yet through fulfilment (placed, or waiting
    for their payment), measured a moment ago: cheap enough to ask on every checkout. It counts
    what the write side records, so it means the same however fulfilment is run."""

    async def orders_waiting(self, *, up_to: int) -> int:
        """The count, or `up_to` when at least that many wait."""


class FulfilmentBacklogged(Unavailable):
    """More orders wait for stock and payment than the shop lets build up: new checkouts are
    refused until fulfilment catches up (ADR 0023)."""


class InvalidCallback(ApplicationError):
    """A signed callback whose body is not a payment result this service understands."""


class PaymentOutcome(StrEnum):
    """The provider's answer to an authorisation."""

    APPROVED = "approved"
    DECLINED = "declined"
    PENDING = "pending"  # the provider answers later, through the callback


@dataclass(frozen=True, kw_only=True)
class PaymentResult:
    """An authorisation's answer: an approval carries the payment reference, a decline
    its reason."""

    outcome: PaymentOutcome
    payment_reference: str | None = None
    reason: str | None = None


class PaymentGateway(Protocol):
    """A payment provider; `reference` is its idempotency key: asked again, it answers with the
    charge already made under it, looked up before the token (which may be gone by then), and
    never charges twice (ADR 0015). Failing to reach it raises PaymentUnavailable. An
    authorisation only secures the money: `capture` takes it, `void` releases it (ADR 0037)."""

    async def authorize(self, *, reference: str, amount: Money, token: str) -> PaymentResult: ...

    async def capture(self, *, reference: str, payment_reference: str, amount: Money) -> str:
        """Take `amount` of the authorisation; returns the capture's reference, the same one
        when asked again under `reference`. `AuthorisationExpired` once the provider no longer
        honours the authorisation."""

    async def refund(self, *, reference: str, payment_reference: str, amount: Money) -> str:
        """Give `amount` of the captured money back (part of it, or all); returns the refund's
        reference. Once per `reference`: asked again, the refund already made is the answer."""

    async def void(self, *, reference: str) -> None:
        """Cancel whatever was authorised under `reference`, if anything was: the answer to a
        charge whose result never reached us."""


@dataclass(frozen=True, kw_only=True)
class PaymentCallback:
    """A pending payment's result, as the provider reported it later: the order it is for
    (our reference), and an approval's payment reference and amount, or a decline's reason."""

    order_id: UUID
    approved: bool
    payment_reference: str | None = None
    amount: Money | None = None
    reason: str | None = None
    # Later news of the payment (ADR 0037): "captured" (with `capture_reference`), "voided"
    # (the authorisation released or lapsed at the provider), "refunded" (a refund we asked
    # for under `refund-<refund_id>`, with `refund_reference`); None: the authorisation's result.
    later: str | None = None
    capture_reference: str | None = None
    refund_id: UUID | None = None
    refund_reference: str | None = None


class PaymentCallbacks(Protocol):
    """Reads the provider's callbacks (its wire format, its signature)."""

    def read(self, body: bytes, signature: str | None) -> PaymentCallback:
        """Raise InvalidSignature for a bad or stale signature, InvalidCallback for a body
        that is not a payment result."""


# -- the read side -----------------------------------------------------------------------------


class OrderReader(Protocol):
    """The read models (projections of the order streams)."""

    async def details(self, order_id: UUID) -> OrderState | None: ...

    async def access_hash(self, order_id: UUID) -> str | None:
        """The hash of a guest order's access token; None for other orders."""

    async def search(self, query: OrderSearch) -> Page[OrderSummary]: ...

    async def timeline(self, order_id: UUID) -> list[TimelineEntry]: ...


class ReturnReader(Protocol):
    """The returns read model (a projection of the return streams)."""

    async def details(self, return_id: UUID) -> ReturnState | None: ...

    async def of_order(self, order_id: UUID) -> list[ReturnState]:
        """The order's returns, oldest first."""

    async def search(self, *, status: ReturnStatus | None, limit: int) -> list[ReturnState]:
        """Newest first."""

    async def timeline(self, order_id: UUID) -> list[ReturnTimelineEntry]:
        """The events of the order's returns, in words, in the log's order."""


class CartSession(PricingSources, Protocol):
    """A customer's cart read without locking it, and the pricing sources, on one connection."""

    async def cart(self, customer_id: UUID) -> Cart: ...


class CartReader(Protocol):
    """Opens a cart session, for showing a cart priced by the pipeline as checkout would."""

    def session(self) -> AbstractAsyncContextManager[CartSession]: ...


class OrderHistory(Protocol):
    """An order's changes from the event log, for live streams to catch up from."""

    async def updates(self, order_id: UUID, *, after_version: int) -> list[OrderUpdate]: ...


class LiveUpdatesUnavailable(Unavailable):
    """The live feed cannot be reached right now; the order itself can still be read."""


class TooManyStreams(TooManyAttempts):
    """The caller already holds as many live streams as one user may."""


class OrderFeed(Protocol):
    """Every order change, live, from whichever process made it; `listeners` counts this
    process's clients."""

    @property
    def listeners(self) -> int: ...

    def subscribe(self) -> AbstractAsyncContextManager["asyncio.Queue[OrderUpdate | None]"]:
        """A queue of updates while the context is open; None means "you fell behind: resume
        from the log" and ends the subscription."""
