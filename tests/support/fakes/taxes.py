"""In-memory fakes of the taxes ports, for handler tests that run in milliseconds. Each is held
to its port by `tests/contracts/test_taxes_ports.py`."""

import copy
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from uuid import UUID

from application.shared.errors import ConcurrencyConflict
from application.taxes.deps import TaxesDeps
from application.taxes.ports import (
    CurrencyModeRepository,
    TaxCategoryRepository,
    TaxRateRepository,
)
from domain.taxes.currency_mode import CurrencyTaxMode
from domain.taxes.errors import TaxCategoryExists, TaxCategoryInUse, TaxRateExists
from domain.taxes.tax_category import TaxCategory
from domain.taxes.tax_rate import TaxRate
from tests.support.fakes.shared import FakeStore, FakeUnitOfWork, FixedClock

K = TypeVar("K")
V = TypeVar("V", TaxCategory, TaxRate, CurrencyTaxMode)


@dataclass
class Store(FakeStore):
    """Taxes' tables."""

    categories: dict[str, TaxCategory] = field(default_factory=dict)
    rates: dict[UUID, TaxRate] = field(default_factory=dict)
    modes: dict[str, CurrencyTaxMode] = field(default_factory=dict)


class _Versioned(Generic[K, V]):
    """Rows of one table, written from the version they were loaded at, like the SQL ones."""

    def __init__(self, rows: dict[K, V], uow: "FakeTaxesUnitOfWork") -> None:
        self.rows: dict[K, V] = rows
        self._uow = uow

    async def _get(self, key: K) -> V | None:
        found = self.rows.get(key)
        return None if found is None else self._uow.seen(copy.deepcopy(found))

    def _add(self, key: K, aggregate: V) -> None:
        self.rows[key] = _stored(aggregate)
        self._uow.seen(aggregate)

    def _save(self, key: K, aggregate: V) -> None:
        self._current(key, aggregate)
        aggregate.version += 1
        self.rows[key] = _stored(aggregate)

    def _delete(self, key: K, aggregate: V) -> None:
        self._current(key, aggregate)
        del self.rows[key]

    def _current(self, key: K, aggregate: V) -> None:
        stored = self.rows.get(key)
        if stored is None or stored.version != aggregate.version:
            raise ConcurrencyConflict(f"{key} was changed concurrently")


def _stored(aggregate: V) -> V:
    """A row holds the state, not the events still to append (the unit of work has those)."""
    row = copy.deepcopy(aggregate)
    row.collect_events()
    return row


class FakeTaxCategories(_Versioned[str, TaxCategory], TaxCategoryRepository):
    """The TaxCategoryRepository port."""

    async def get(self, code: str) -> TaxCategory | None:
        return await self._get(code)

    async def add(self, category: TaxCategory) -> None:
        if category.code in self.rows:
            raise TaxCategoryExists(f"a tax category {category.code!r} exists already")
        self._add(category.code, category)

    async def save(self, category: TaxCategory) -> None:
        self._save(category.code, category)

    async def delete(self, category: TaxCategory) -> None:
        if any(r.tax_category == category.code for r in self._uow.working.rates.values()):
            raise TaxCategoryInUse(f"rates still tax {category.code!r}")
        self._delete(category.code, category)


class FakeTaxRates(_Versioned[UUID, TaxRate], TaxRateRepository):
    """The TaxRateRepository port: one rate per (country, region, category)."""

    async def get(self, tax_rate_id: UUID) -> TaxRate | None:
        return await self._get(tax_rate_id)

    async def add(self, tax_rate: TaxRate) -> None:
        place = (tax_rate.country, tax_rate.region, tax_rate.tax_category)
        if any((r.country, r.region, r.tax_category) == place for r in self.rows.values()):
            raise TaxRateExists(f"{place} has a rate already")
        self._add(tax_rate.id, tax_rate)

    async def save(self, tax_rate: TaxRate) -> None:
        self._save(tax_rate.id, tax_rate)

    async def delete(self, tax_rate: TaxRate) -> None:
        self._delete(tax_rate.id, tax_rate)


class FakeCurrencyModes(_Versioned[str, CurrencyTaxMode], CurrencyModeRepository):
    """The CurrencyModeRepository port."""

    async def get(self, currency: str) -> CurrencyTaxMode | None:
        return await self._get(currency)

    async def add(self, mode: CurrencyTaxMode) -> None:
        if mode.currency in self.rows:
            raise ConcurrencyConflict(f"the {mode.currency} tax mode was set concurrently")
        self._add(mode.currency, mode)

    async def save(self, mode: CurrencyTaxMode) -> None:
        self._save(mode.currency, mode)

    async def delete(self, mode: CurrencyTaxMode) -> None:
        self._delete(mode.currency, mode)


class FakeTaxesUnitOfWork(FakeUnitOfWork[Store]):
    """The TaxesUnitOfWork port over a Store."""

    categories: FakeTaxCategories
    rates: FakeTaxRates
    modes: FakeCurrencyModes

    def _open(self) -> None:
        self.categories = FakeTaxCategories(self.working.categories, self)
        self.rates = FakeTaxRates(self.working.rates, self)
        self.modes = FakeCurrencyModes(self.working.modes, self)


def taxes_deps(store: Store | None = None) -> tuple[TaxesDeps, Store]:
    """Handlers' dependencies over an in-memory store, and the store."""
    store = store or Store()
    return TaxesDeps(uow=lambda: FakeTaxesUnitOfWork(store), clock=FixedClock()), store
