"""In-memory fakes of the ordering ports: streams in a dict, a cart per customer, stock and a
payment provider that record what they were asked. Handlers and the fulfilment process run
against them in milliseconds; `tests/contracts` holds each to its port."""

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, TypeVar
from uuid import UUID

from agora.contexts.ordering import register
from application.ordering.deps import OrderingDeps
from application.ordering.ports import (
    AddressBook,
    CartRepository,
    Catalog,
    CouponUsedUp,
    FulfilmentBacklog,
    GiftCardBalanceTooLow,
    GiftCardNotUsable,
    GiftCards,
    InvalidCallback,
    OrderAccess,
    OrderRepository,
    PaymentCallback,
    PaymentCallbacks,
    PaymentDeadlines,
    PaymentGateway,
    PaymentMethods,
    PaymentOutcome,
    PaymentResult,
    PaymentUnavailable,
    Promotions,
    ReturnRepository,
    ShippingOptions,
    Stock,
    TaxRates,
    UnknownCoupon,
)
from application.shared.bus import CommandBus
from application.shared.idempotency import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    IdempotencyKeys,
    IdempotentRequest,
)
from domain.ordering.cart import Cart
from domain.ordering.errors import AuthorisationExpired
from domain.ordering.order import Order, order_stream
from domain.ordering.pricing.breakdown import GiftCardCharge
from domain.ordering.pricing.inputs import (
    GiftCardBalance,
    PromotionRule,
    ShippingOption,
    TaxTable,
)
from domain.ordering.returns import Return, ReturnState, return_stream
from domain.ordering.values import CatalogItem, LineUnits, ShippingAddress
from domain.shared.events import DomainEvent
from domain.shared.money import Money
from tests.support.fakes.shared import FakeStore, FakeUnitOfWork, FixedClock

T = TypeVar("T")


@dataclass
class Store(FakeStore):
    """Ordering's tables, and the catalog's prices as ordering reads them."""

    carts: dict[UUID, Cart] = field(default_factory=dict)
    items: dict[str, CatalogItem] = field(default_factory=dict)
    tokens: dict[UUID, str] = field(default_factory=dict)
    deadlines: dict[UUID, datetime] = field(default_factory=dict)
    capture_deadlines: dict[UUID, datetime] = field(default_factory=dict)
    refund_deadlines: dict[UUID, datetime] = field(default_factory=dict)
    answers: dict[tuple[UUID, str], tuple[str, Any, datetime]] = field(default_factory=dict)
    claimed: set[tuple[UUID, str]] = field(default_factory=set)  # keys held by open work
    # The other contexts' rules, as ordering's ports serve them.
    tax_tables: dict[str, TaxTable] = field(default_factory=dict)  # by country
    shipping_options: list[ShippingOption] = field(default_factory=list)
    promotions: list[PromotionRule] = field(default_factory=list)  # automatic and coupons'
    coupon_uses_left: dict[str, int] = field(default_factory=dict)
    redeemed: list[tuple[str, UUID]] = field(default_factory=list)
    gift_cards: dict[str, GiftCardBalance] = field(default_factory=dict)  # by code
    debited: list[GiftCardCharge] = field(default_factory=list)
    addresses: dict[tuple[UUID, UUID], ShippingAddress] = field(default_factory=dict)
    default_addresses: dict[tuple[UUID, str], ShippingAddress] = field(default_factory=dict)
    access: dict[UUID, tuple[str, str]] = field(default_factory=dict)  # order -> hash, email

    def order_events(self, order_id: UUID) -> list[DomainEvent]:
        return self.streams.get(order_stream(order_id), [])

    def order(self, order_id: UUID) -> Order:
        return Order.replay(self.order_events(order_id))


class FakeOrders(OrderRepository):
    """The OrderRepository port: a stream per order."""

    def __init__(self, store: Store, uow: "FakeOrderingUnitOfWork") -> None:
        self._store = store
        self._uow = uow

    async def get(self, order_id: UUID) -> Order | None:
        events = self._store.streams.get(order_stream(order_id))
        return None if events is None else self._uow.seen(Order.replay(events))

    async def add(self, order: Order) -> None:
        self._uow.seen(order)


class FakeReturns(ReturnRepository):
    """The ReturnRepository port: a stream per return, found by its order's id."""

    def __init__(self, store: Store, uow: "FakeOrderingUnitOfWork") -> None:
        self._store = store
        self._uow = uow

    async def get(self, return_id: UUID) -> Return | None:
        events = self._store.streams.get(return_stream(return_id))
        return None if events is None else self._uow.seen(Return.replay(events))

    async def add(self, aggregate: Return) -> None:
        self._uow.seen(aggregate)

    async def of_order(self, order_id: UUID) -> list[ReturnState]:
        found = [
            Return.replay(events).state
            for stream, events in self._store.streams.items()
            if stream.startswith("return-")
        ]
        return sorted(
            (state for state in found if state.order_id == order_id),
            key=lambda state: (state.requested_at, state.id),
        )


class FakeCarts(CartRepository):
    """The CartRepository port."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, customer_id: UUID) -> Cart:
        return copy.deepcopy(self._store.carts.get(customer_id)) or Cart(customer_id)

    async def save(self, cart: Cart) -> None:
        self._store.carts[cart.customer_id] = copy.deepcopy(cart)


class FakeCatalog(Catalog):
    """The Catalog port: the items a test put in the store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def items(self, skus: Iterable[str]) -> dict[str, CatalogItem]:
        return {s: self._store.items[s] for s in set(skus) if s in self._store.items}


class FakeTaxes(TaxRates):
    """The TaxRates port: a table per country; no rates elsewhere."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def table(self, *, country: str, region: str | None, currency: str) -> TaxTable:
        found = self._store.tax_tables.get(country)
        return found or TaxTable(country=country, region=region, prices_include_tax=True, rates=())


class FakeShipping(ShippingOptions):
    """The ShippingOptions port: every option offered everywhere, in its bands' currency."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def offered(self, *, country: str, currency: str) -> list[ShippingOption]:
        return [o for o in self._store.shipping_options if o.bands[0].price.currency == currency]

    async def any_active(self) -> bool:
        return bool(self._store.shipping_options)


class FakePromotions(Promotions):
    """The Promotions port: automatic rules always, a coupon's while it has uses left."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def applicable(
        self,
        *,
        currency: str,
        coupon_codes: Sequence[str],
        customer_id: UUID,
        email: str | None,
        now: datetime,
    ) -> list[PromotionRule]:
        rules = [rule for rule in self._store.promotions if rule.coupon_code is None]
        for code in coupon_codes:
            found = [rule for rule in self._store.promotions if rule.coupon_code == code]
            if not found:
                raise UnknownCoupon(f"no coupon has the code {code}")
            if self._store.coupon_uses_left.get(code, 1) <= 0:
                raise CouponUsedUp(f"{code} was used as often as it may be")
            rules += found
        return rules

    async def redeem(
        self,
        coupon_codes: Sequence[str],
        *,
        order_id: UUID,
        customer_id: UUID,
        email: str | None,
        now: datetime,
    ) -> None:
        for code in coupon_codes:
            left = self._store.coupon_uses_left.get(code, 1)
            if left <= 0:
                raise CouponUsedUp(f"{code} was used as often as it may be")
            self._store.coupon_uses_left[code] = left - 1
            self._store.redeemed.append((code, order_id))


class FakeGiftCards(GiftCards):
    """The GiftCards port: balances by code, debited never below zero."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def balances(
        self, codes: Sequence[str], *, currency: str, now: datetime
    ) -> list[GiftCardBalance]:
        found = []
        for code in codes:
            card = self._store.gift_cards.get(code)
            if card is None or card.balance.currency != currency:
                raise GiftCardNotUsable("no usable gift card has this code")
            found.append(card)
        return found

    async def debit(
        self, charges: Sequence[GiftCardCharge], *, order_id: UUID, now: datetime
    ) -> None:
        by_id = {card.gift_card_id: code for code, card in self._store.gift_cards.items()}
        for charge in charges:
            code = by_id[charge.gift_card_id]
            card = self._store.gift_cards[code]
            if card.balance.amount < charge.amount.amount:
                raise GiftCardBalanceTooLow(f"the card ending {card.last_four} holds less")
            self._store.gift_cards[code] = replace(card, balance=card.balance - charge.amount)
            self._store.debited.append(charge)


class FakeAddressBook(AddressBook):
    """The AddressBook port: saved addresses by (customer, address id)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def address(self, *, customer_id: UUID, address_id: UUID) -> ShippingAddress | None:
        return self._store.addresses.get((customer_id, address_id))

    async def default(self, *, customer_id: UUID, kind: str) -> ShippingAddress | None:
        return self._store.default_addresses.get((customer_id, kind))


class FakeOrderAccess(OrderAccess):
    """The OrderAccess port."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def grant(self, order_id: UUID, *, token_hash: str, email: str) -> None:
        self._store.access[order_id] = (token_hash, email.lower())

    async def token_hash(self, order_id: UUID) -> str | None:
        found = self._store.access.get(order_id)
        return None if found is None else found[0]

    async def placed_with(self, email: str) -> list[UUID]:
        return [o for o, (_, placed) in self._store.access.items() if placed == email.lower()]


class FakePaymentMethods(PaymentMethods):
    """The PaymentMethods port."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def put(self, order_id: UUID, token: str) -> None:
        self._store.tokens[order_id] = token

    async def get(self, order_id: UUID) -> str | None:
        return self._store.tokens.get(order_id)

    async def forget(self, order_id: UUID) -> None:
        self._store.tokens.pop(order_id, None)


class FakeDeadlines(PaymentDeadlines):
    """The PaymentDeadlines port, over one of the store's clocks."""

    def __init__(self, store: Store, clock: str = "deadlines") -> None:
        self._deadlines: dict[UUID, datetime] = getattr(store, clock)

    async def start(self, order_id: UUID, *, since: datetime) -> None:
        self._deadlines[order_id] = since

    async def clear(self, order_id: UUID) -> None:
        self._deadlines.pop(order_id, None)

    async def due(self, cutoff: datetime, *, limit: int) -> list[UUID]:
        waiting = sorted((since, order_id) for order_id, since in self._deadlines.items())
        return [order_id for since, order_id in waiting if since < cutoff][:limit]


class FakeBacklog(FulfilmentBacklog):
    """The FulfilmentBacklog port: the orders whose payment deadline runs, counted afresh."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def orders_waiting(self, *, up_to: int) -> int:
        return min(len(self._store.deadlines), up_to)


class FakeIdempotency(IdempotencyKeys):
    """The IdempotencyKeys port. A key claimed by a unit of work that is still open is refused
    to any other, as the SQL adapter's transaction-scoped lock refuses it."""

    def __init__(self, store: Store, committed: Store, held: set[tuple[UUID, str]]) -> None:
        self._store = store
        self._committed = committed
        self._held = held

    async def claim(
        self, request: IdempotentRequest, result_type: type[T], *, now: datetime
    ) -> T | None:
        key = (request.owner_id, request.key)
        if key in self._committed.claimed and key not in self._held:
            raise IdempotencyKeyInUse("a request with this Idempotency-Key is still running")
        self._committed.claimed.add(key)
        self._held.add(key)
        found = self._store.answers.get(key)
        if found is None or found[2] <= now:
            return None
        fingerprint, result, _ = found
        if fingerprint != request.fingerprint:
            raise IdempotencyKeyReused("this Idempotency-Key was used for a different request")
        assert isinstance(result, result_type)
        return result

    async def remember(
        self, request: IdempotentRequest, result: object, *, now: datetime, keep_for: timedelta
    ) -> None:
        key = (request.owner_id, request.key)
        live = self._committed.answers.get(key) or self._store.answers.get(key)
        if live is not None and live[2] > now:
            raise IdempotencyKeyInUse("a request with this Idempotency-Key has just finished")
        self._store.answers[key] = (request.fingerprint, result, now + keep_for)

    async def forget_expired(self, *, now: datetime) -> int:
        expired = [k for k, (_, _, until) in self._store.answers.items() if until <= now]
        for key in expired:
            del self._store.answers[key]
        return len(expired)


class FakeOrderingUnitOfWork(FakeUnitOfWork[Store]):
    """The OrderingUnitOfWork port over a Store."""

    orders: FakeOrders
    returns: FakeReturns
    carts: FakeCarts
    catalog: FakeCatalog
    taxes: FakeTaxes
    shipping: FakeShipping
    promotions: FakePromotions
    gift_cards: FakeGiftCards
    addresses: FakeAddressBook
    access: FakeOrderAccess
    payment_methods: FakePaymentMethods
    deadlines: FakeDeadlines
    idempotency: FakeIdempotency
    backlog: FakeBacklog
    captures: FakeDeadlines
    pending_refunds: FakeDeadlines

    def _open(self) -> None:
        self._held: set[tuple[UUID, str]] = set()
        self.orders = FakeOrders(self.working, self)
        self.returns = FakeReturns(self.working, self)
        self.carts = FakeCarts(self.working)
        self.catalog = FakeCatalog(self.working)
        self.taxes = FakeTaxes(self.working)
        self.shipping = FakeShipping(self.working)
        self.promotions = FakePromotions(self.working)
        self.gift_cards = FakeGiftCards(self.working)
        self.addresses = FakeAddressBook(self.working)
        self.access = FakeOrderAccess(self.working)
        self.payment_methods = FakePaymentMethods(self.working)
        self.deadlines = FakeDeadlines(self.working)
        self.backlog = FakeBacklog(self.working)
        self.captures = FakeDeadlines(self.working, "capture_deadlines")
        self.pending_refunds = FakeDeadlines(self.working, "refund_deadlines")
        self.idempotency = FakeIdempotency(self.working, self.committed_store, self._held)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.committed_store.claimed -= self._held  # the transaction ends: its locks go
        await super().__aexit__(exc_type, exc, tb)


@dataclass
class FakeStock(Stock):
    """The Stock port: units per SKU, held per order, once; every call is recorded."""

    available: dict[str, int] = field(default_factory=dict)
    held: dict[UUID, list[tuple[str, int]]] = field(default_factory=dict)
    released: set[UUID] = field(default_factory=set)
    calls: list[tuple[str, UUID]] = field(default_factory=list)
    locations: set[str] = field(default_factory=lambda: {"main"})
    lacking: set[str] = field(default_factory=set)  # locations that hold none of any order's

    async def reserve(
        self, order_id: UUID, lines: list[tuple[str, int]], *, hold_for: timedelta
    ) -> str | None:
        self.calls.append(("reserve", order_id))
        if order_id in self.released:
            return "released before the order was confirmed"
        if order_id in self.held:
            return None
        for sku, quantity in lines:
            if self.available.get(sku, 0) < quantity:
                return f"not enough stock of {sku}"
        for sku, quantity in lines:
            self.available[sku] -= quantity
        self.held[order_id] = lines
        return None

    async def release(self, order_id: UUID) -> None:
        self.calls.append(("release", order_id))
        self.released.add(order_id)
        for sku, quantity in self.held.pop(order_id, []):
            self.available[sku] += quantity

    async def check_shipment(
        self, order_id: UUID, lines: Sequence[LineUnits], location: str | None
    ) -> str | None:
        """One location (`main`): the order's held units cover the lines, or why not;
        `lacking` names locations that hold none of any order's units."""
        self.calls.append(("check_shipment", order_id))
        if location is not None and (location in self.lacking or location not in self.locations):
            return f"{location} does not hold the order's units of {lines[0].sku}"
        held: dict[str, int] = {}
        for sku, quantity in self.held.get(order_id, []):
            held[sku] = held.get(sku, 0) + quantity
        for line in lines:
            if held.get(line.sku, 0) < line.quantity:
                return f"not reserved for the order: {line.quantity} of {line.sku}"
        return None

    async def location_exists(self, code: str) -> bool:
        return code in self.locations


@dataclass
class FakePayments(PaymentGateway):
    """The PaymentGateway port: one charge per reference, found by it before the token is read
    (asked again, the charge is the answer: declined once voided, or for another amount); no
    token, no charge."""

    outcome: PaymentOutcome = PaymentOutcome.APPROVED
    unreachable: bool = False
    charges: dict[str, Money] = field(default_factory=dict)
    voided: list[str] = field(default_factory=list)
    captured: dict[str, Money] = field(default_factory=dict)  # by capture reference
    refunded: dict[str, Money] = field(default_factory=dict)  # by refund reference, once each
    expired: set[str] = field(default_factory=set)  # payment references no longer honoured
    captured_payments: set[str] = field(default_factory=set)

    async def authorize(self, *, reference: str, amount: Money, token: str) -> PaymentResult:
        if self.unreachable:
            self.charges.setdefault(reference, amount)  # charged, but the answer is lost
            raise PaymentUnavailable("the payment provider did not answer")
        if reference in self.charges:  # looked up by reference before the card
            if reference in self.voided:
                return PaymentResult(outcome=PaymentOutcome.DECLINED, reason="voided")
            if self.charges[reference] != amount:
                return PaymentResult(outcome=PaymentOutcome.DECLINED, reason="another amount")
            return PaymentResult(
                outcome=PaymentOutcome.APPROVED, payment_reference=f"pay-{reference}"
            )
        if not token:
            return PaymentResult(outcome=PaymentOutcome.DECLINED, reason="no card")
        if self.outcome is PaymentOutcome.APPROVED:
            self.charges.setdefault(reference, amount)
            return PaymentResult(outcome=self.outcome, payment_reference=f"pay-{reference}")
        return PaymentResult(outcome=self.outcome, reason="card declined")

    async def capture(self, *, reference: str, payment_reference: str, amount: Money) -> str:
        if self.unreachable:
            raise PaymentUnavailable("the payment provider did not answer")
        if reference not in self.captured and payment_reference in self.expired:
            raise AuthorisationExpired(f"the authorisation {payment_reference} expired")
        self.captured.setdefault(reference, amount)
        self.captured_payments.add(payment_reference)
        return f"cap-{reference}"

    async def refund(self, *, reference: str, payment_reference: str, amount: Money) -> str:
        if self.unreachable:
            raise PaymentUnavailable("the payment provider did not answer")
        self.refunded.setdefault(reference, amount)
        return f"re-{reference}"

    async def void(self, *, reference: str) -> None:
        if f"pay-{reference}" not in self.captured_payments:  # a capture is never undone
            self.voided.append(reference)


class FakeCallbacks(PaymentCallbacks):
    """The PaymentCallbacks port: a test hands it the callback it should read."""

    def __init__(self) -> None:
        self.next: PaymentCallback | None = None

    def read(self, body: bytes, signature: str | None) -> PaymentCallback:
        if self.next is None:
            raise InvalidCallback("not a payment result")
        return self.next


def ordering_deps(
    store: Store, stock: FakeStock, payments: FakePayments, *, clock: FixedClock | None = None
) -> OrderingDeps:
    """Ordering's dependencies on fakes, with a bus that has every ordering handler."""
    bus = CommandBus()
    deps = OrderingDeps(
        uow=lambda: FakeOrderingUnitOfWork(store),
        bus=bus,
        clock=clock or FixedClock(),
        stock=stock,
        payments=payments,
        callbacks=FakeCallbacks(),
        idempotency_ttl=timedelta(hours=24),
        payment_timeout=timedelta(minutes=15),
        reservation_hold=timedelta(minutes=25),
        max_fulfilment_backlog=0,
    )
    register(bus, deps)
    return deps
