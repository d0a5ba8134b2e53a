"""What tax use cases need: categories, rates and currency modes in one transaction, and the
read side."""

from typing import Protocol
from uuid import UUID

from application.shared.pagination import Page
from application.shared.unit_of_work import UnitOfWork
from application.taxes.views import (
    CurrencyModeView,
    TaxCategoryView,
    TaxRateSearch,
    TaxRateView,
)
from domain.taxes.currency_mode import CurrencyTaxMode
from domain.taxes.tax_category import TaxCategory
from domain.taxes.tax_rate import TaxRate


class TaxCategoryRepository(Protocol):
    """Tax categories by code, with optimistic concurrency on their `version`."""

    async def get(self, code: str) -> TaxCategory | None: ...

    async def add(self, category: TaxCategory) -> None:
        """Raise TaxCategoryExists if the code is taken."""

    async def save(self, category: TaxCategory) -> None:
        """Update from the loaded version; raise ConcurrencyConflict if it moved."""

    async def delete(self, category: TaxCategory) -> None:
        """Raise TaxCategoryInUse while rates use it; ConcurrencyConflict if it moved."""


class TaxRateRepository(Protocol):
    """Tax rates, one per (country, region, category)."""

    async def get(self, tax_rate_id: UUID) -> TaxRate | None: ...

    async def add(self, tax_rate: TaxRate) -> None:
        """Raise TaxRateExists if the destination has a rate for the category already."""

    async def save(self, tax_rate: TaxRate) -> None:
        """Update from the loaded version; raise ConcurrencyConflict if it moved."""

    async def delete(self, tax_rate: TaxRate) -> None:
        """Raise ConcurrencyConflict if it moved since it was loaded."""


class CurrencyModeRepository(Protocol):
    """Currency tax modes by currency code."""

    async def get(self, currency: str) -> CurrencyTaxMode | None: ...

    async def add(self, mode: CurrencyTaxMode) -> None:
        """Raise ConcurrencyConflict if another writer set the currency's mode first."""

    async def save(self, mode: CurrencyTaxMode) -> None: ...

    async def delete(self, mode: CurrencyTaxMode) -> None: ...


class TaxesUnitOfWork(UnitOfWork, Protocol):
    """One transaction over the tax records, with their events."""

    @property
    def categories(self) -> TaxCategoryRepository: ...

    @property
    def rates(self) -> TaxRateRepository: ...

    @property
    def modes(self) -> CurrencyModeRepository: ...


class TaxesUnitOfWorkFactory(Protocol):
    """Opens a fresh unit of work for each command."""

    def __call__(self) -> TaxesUnitOfWork: ...


class TaxesReader(Protocol):
    """The read side for staff: categories by code, rates by destination and category, modes
    by currency."""

    async def categories(self, *, limit: int, cursor: str | None) -> Page[TaxCategoryView]: ...

    async def category(self, code: str) -> TaxCategoryView | None: ...

    async def rates(self, search: TaxRateSearch) -> Page[TaxRateView]: ...

    async def rate(self, tax_rate_id: UUID) -> TaxRateView | None: ...

    async def modes(self) -> list[CurrencyModeView]: ...

    async def mode(self, currency: str) -> CurrencyModeView | None: ...
