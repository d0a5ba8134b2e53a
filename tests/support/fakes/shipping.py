"""In-memory fakes of the shipping ports, for handler tests that run in milliseconds. Each is
held to its port by `tests/contracts/test_shipping_ports.py`."""

import copy
from dataclasses import dataclass, field
from uuid import UUID

from application.shared.errors import ConcurrencyConflict
from application.shipping.deps import ShippingDeps
from application.shipping.ports import ShippingMethodRepository
from domain.shipping.errors import ShippingMethodCodeTaken
from domain.shipping.shipping_method import ShippingMethod
from tests.support.fakes.shared import FakeStore, FakeUnitOfWork, FixedClock


@dataclass
class Store(FakeStore):
    """Shipping's tables."""

    methods: dict[UUID, ShippingMethod] = field(default_factory=dict)


class FakeShippingMethods(ShippingMethodRepository):
    """The ShippingMethodRepository port: codes unique, writes from the loaded version."""

    def __init__(self, store: Store, uow: "FakeShippingUnitOfWork") -> None:
        self.store = store
        self._uow = uow

    async def get(self, method_id: UUID) -> ShippingMethod | None:
        found = self.store.methods.get(method_id)
        return None if found is None else self._uow.seen(copy.deepcopy(found))

    async def add(self, method: ShippingMethod) -> None:
        if any(m.code == method.code for m in self.store.methods.values()):
            raise ShippingMethodCodeTaken(f"a method has the code {method.code!r}")
        self.store.methods[method.id] = _stored(method)
        self._uow.seen(method)

    async def save(self, method: ShippingMethod) -> None:
        self._current(method)
        method.version += 1
        self.store.methods[method.id] = _stored(method)

    async def delete(self, method: ShippingMethod) -> None:
        self._current(method)
        del self.store.methods[method.id]

    def _current(self, method: ShippingMethod) -> None:
        stored = self.store.methods.get(method.id)
        if stored is None or stored.version != method.version:
            raise ConcurrencyConflict(f"shipping method {method.code} was changed concurrently")


class FakeShippingUnitOfWork(FakeUnitOfWork[Store]):
    """The ShippingUnitOfWork port over a Store."""

    methods: FakeShippingMethods

    def _open(self) -> None:
        self.methods = FakeShippingMethods(self.working, self)


def shipping_deps(store: Store | None = None) -> tuple[ShippingDeps, Store]:
    """Handlers' dependencies over an in-memory store, and the store."""
    store = store or Store()
    return ShippingDeps(uow=lambda: FakeShippingUnitOfWork(store), clock=FixedClock()), store


def _stored(method: ShippingMethod) -> ShippingMethod:
    """A row holds the state, not the events still to append (the unit of work has those)."""
    row = copy.deepcopy(method)
    row.collect_events()
    return row
