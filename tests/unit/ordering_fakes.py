"""In-memory fakes of the ordering ports: streams in a dict, a cart per customer, stock and a
payment provider that record what they were asked. Handlers and the process run against them
in milliseconds."""

import copy
from dataclasses import dataclass, field
from datetime import timedelta
from types import TracebackType
from typing import Any, Self, TypeVar
from uuid import UUID

from application.ordering.dependencies import OrderingDeps
from application.ordering.ports import PaymentOutcome, PaymentResult, PaymentUnavailable
from application.ordering.views import CatalogItem
from application.shared.errors import ConcurrencyConflict
from application.shared.idempotency import IdempotencyKeyReused, IdempotentRequest
from domain.ordering.cart import Cart
from domain.ordering.order import Order
from domain.shared.events import DomainEvent
from domain.shared.money import Money
from tests.unit.fakes import FixedClock

T = TypeVar("T")


@dataclass
class Store:
    """What the fake database holds; a unit of work copies it in and back on commit."""

    streams: dict[UUID, list[DomainEvent]] = field(default_factory=dict)
    carts: dict[UUID, Cart] = field(default_factory=dict)
    items: dict[str, CatalogItem] = field(default_factory=dict)
    tokens: dict[UUID, str] = field(default_factory=dict)
    answers: dict[tuple[UUID, str], tuple[str, Any]] = field(default_factory=dict)
    conflicts: int = 0  # the next saves that lose a race


class FakeOrders:
    """Streams of the working copy; races are counted on the committed store, so that a
    retry in a new unit of work sees one fewer."""

    def __init__(self, work: Store, committed: Store) -> None:
        self._work = work
        self._committed = committed

    async def get(self, order_id: UUID) -> Order | None:
        events = self._work.streams.get(order_id)
        return None if events is None else Order.replay(events)

    async def save(self, order: Order) -> None:
        if self._committed.conflicts:
            self._committed.conflicts -= 1
            raise ConcurrencyConflict("someone else appended first")
        new = order.collect_events()
        stored = self._work.streams.setdefault(order.id, [])
        assert len(stored) == order.version - len(new), "expected version"
        stored.extend(new)


class FakeCarts:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, customer_id: UUID) -> Cart:
        return self._store.carts.get(customer_id) or Cart(customer_id)

    async def save(self, cart: Cart) -> None:
        self._store.carts[cart.customer_id] = cart


class FakeCatalog:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def items(self, skus: Any) -> dict[str, CatalogItem]:
        return {s: self._store.items[s] for s in skus if s in self._store.items}


class FakePaymentMethods:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def put(self, order_id: UUID, token: str) -> None:
        self._store.tokens[order_id] = token

    async def get(self, order_id: UUID) -> str | None:
        return self._store.tokens.get(order_id)

    async def forget(self, order_id: UUID) -> None:
        self._store.tokens.pop(order_id, None)


class FakeIdempotency:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def claim(
        self, request: IdempotentRequest, result_type: type[T], *, now: Any
    ) -> T | None:
        found = self._store.answers.get((request.owner_id, request.key))
        if found is None:
            return None
        fingerprint, result = found
        if fingerprint != request.fingerprint:
            raise IdempotencyKeyReused("another request")
        assert isinstance(result, result_type)
        return result

    async def remember(
        self, request: IdempotentRequest, result: object, *, now: Any, keep_for: timedelta
    ) -> None:
        self._store.answers[(request.owner_id, request.key)] = (request.fingerprint, result)


class FakeOrderingUnitOfWork:
    """Works on a copy of the store; commit puts the copy back, so a failure changes nothing."""

    def __init__(self, store: Store) -> None:
        self._committed = store

    async def __aenter__(self) -> Self:
        self._work = copy.deepcopy(self._committed)
        self.orders = FakeOrders(self._work, self._committed)
        self.carts = FakeCarts(self._work)
        self.catalog = FakeCatalog(self._work)
        self.payment_methods = FakePaymentMethods(self._work)
        self.idempotency = FakeIdempotency(self._work)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        conflicts = self._committed.conflicts
        self._committed.__dict__.update(copy.deepcopy(self._work).__dict__)
        self._committed.conflicts = conflicts


@dataclass
class FakeStock:
    available: dict[str, int] = field(default_factory=dict)
    held: dict[UUID, list[tuple[str, int]]] = field(default_factory=dict)
    calls: list[tuple[str, UUID]] = field(default_factory=list)

    async def reserve(
        self, order_id: UUID, lines: list[tuple[str, int]], *, hold_for: timedelta
    ) -> str | None:
        self.calls.append(("reserve", order_id))
        if order_id in self.held:
            return None
        for sku, quantity in lines:
            if self.available.get(sku, 0) < quantity:
                return f"not enough stock of {sku}"
        for sku, quantity in lines:
            self.available[sku] -= quantity
        self.held[order_id] = lines
        return None

    async def keep(self, order_id: UUID) -> None:
        self.calls.append(("keep", order_id))

    async def release(self, order_id: UUID) -> None:
        self.calls.append(("release", order_id))
        for sku, quantity in self.held.pop(order_id, []):
            self.available[sku] += quantity

    async def commit(self, order_id: UUID) -> None:
        self.calls.append(("commit", order_id))
        self.held.pop(order_id, None)


@dataclass
class FakePayments:
    outcome: PaymentOutcome = PaymentOutcome.APPROVED
    unreachable: bool = False
    charges: dict[str, Money] = field(default_factory=dict)
    voided: list[str] = field(default_factory=list)

    async def authorize(self, *, reference: str, amount: Money, token: str) -> PaymentResult:
        if self.unreachable:
            self.charges.setdefault(reference, amount)  # charged, but the answer is lost
            raise PaymentUnavailable("no answer")
        if self.outcome is PaymentOutcome.APPROVED:
            self.charges.setdefault(reference, amount)
            return PaymentResult(outcome=self.outcome, payment_reference=f"pay-{reference}")
        return PaymentResult(outcome=self.outcome, reason="card declined")

    async def refund(self, *, reference: str, payment_reference: str, amount: Money) -> str:
        return f"re-{reference}"

    async def void(self, *, reference: str) -> None:
        self.voided.append(reference)


def ordering_deps(store: Store, stock: FakeStock, payments: FakePayments) -> OrderingDeps:
    return OrderingDeps(
        uow=lambda: FakeOrderingUnitOfWork(store),
        clock=FixedClock(),
        payments=payments,
        stock=stock,
        webhook_secret="secret",
        webhook_tolerance=timedelta(minutes=5),
        idempotency_ttl=timedelta(hours=24),
        payment_timeout=timedelta(minutes=15),
        reservation_hold=timedelta(minutes=25),
    )
