"""In-memory fakes of the ordering ports: streams in a dict, a cart per customer, stock and a
payment provider that record what they were asked. Handlers and the fulfilment process run
against them in milliseconds; `tests/contracts` holds each to its port."""

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, TypeVar
from uuid import UUID

from agora.contexts.ordering import register
from application.ordering.deps import OrderingDeps
from application.ordering.ports import (
    CartRepository,
    Catalog,
    FulfilmentBacklog,
    InvalidCallback,
    OrderRepository,
    PaymentCallback,
    PaymentCallbacks,
    PaymentDeadlines,
    PaymentGateway,
    PaymentMethods,
    PaymentOutcome,
    PaymentResult,
    PaymentUnavailable,
    Stock,
)
from application.shared.bus import CommandBus
from application.shared.idempotency import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    IdempotencyKeys,
    IdempotentRequest,
)
from domain.ordering.cart import Cart
from domain.ordering.order import Order, order_stream
from domain.ordering.values import CatalogItem
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
    answers: dict[tuple[UUID, str], tuple[str, Any, datetime]] = field(default_factory=dict)
    claimed: set[tuple[UUID, str]] = field(default_factory=set)  # keys held by open work

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
    """The PaymentDeadlines port."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def start(self, order_id: UUID, *, since: datetime) -> None:
        self._store.deadlines[order_id] = since

    async def clear(self, order_id: UUID) -> None:
        self._store.deadlines.pop(order_id, None)

    async def due(self, cutoff: datetime, *, limit: int) -> list[UUID]:
        waiting = sorted((since, order_id) for order_id, since in self._store.deadlines.items())
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
    carts: FakeCarts
    catalog: FakeCatalog
    payment_methods: FakePaymentMethods
    deadlines: FakeDeadlines
    idempotency: FakeIdempotency
    backlog: FakeBacklog

    def _open(self) -> None:
        self._held: set[tuple[UUID, str]] = set()
        self.orders = FakeOrders(self.working, self)
        self.carts = FakeCarts(self.working)
        self.catalog = FakeCatalog(self.working)
        self.payment_methods = FakePaymentMethods(self.working)
        self.deadlines = FakeDeadlines(self.working)
        self.backlog = FakeBacklog(self.working)
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


@dataclass
class FakePayments(PaymentGateway):
    """The PaymentGateway port: one charge per reference, found by it before the token is read
    (asked again, the charge is the answer: declined once voided, or for another amount); no
    token, no charge."""

    outcome: PaymentOutcome = PaymentOutcome.APPROVED
    unreachable: bool = False
    charges: dict[str, Money] = field(default_factory=dict)
    voided: list[str] = field(default_factory=list)

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

    async def refund(self, *, reference: str, payment_reference: str, amount: Money) -> str:
        return f"re-{reference}"

    async def void(self, *, reference: str) -> None:
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
