"""What happens to tax categories, rates and currency modes: each change is a fact on the log,
so the price of a past order can be explained by the rates in force at the time."""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from domain.shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class TaxCategoryCreated(DomainEvent):
    """Staff added a tax category (e.g. "reduced")."""

    code: str
    name: str


@dataclass(frozen=True, kw_only=True)
class TaxCategoryRenamed(DomainEvent):
    """The category kept its code and got a new name."""

    code: str
    name: str


@dataclass(frozen=True, kw_only=True)
class TaxCategoryDeleted(DomainEvent):
    """The category is gone; no rate used it any more."""

    code: str


@dataclass(frozen=True, kw_only=True)
class TaxRateCreated(DomainEvent):
    """A category is taxed at `rate` percent at a destination."""

    tax_rate_id: UUID
    country: str
    region: str | None
    tax_category: str
    rate: Decimal
    name: str


@dataclass(frozen=True, kw_only=True)
class TaxRateChanged(DomainEvent):
    """The rate or its name changed; orders placed before keep the old one."""

    tax_rate_id: UUID
    rate: Decimal
    name: str


@dataclass(frozen=True, kw_only=True)
class TaxRateDeleted(DomainEvent):
    """The destination no longer taxes the category (it is taxed at zero there)."""

    tax_rate_id: UUID


@dataclass(frozen=True, kw_only=True)
class CurrencyTaxModeSet(DomainEvent):
    """Prices in `currency` are entered with tax included, or without."""

    currency: str
    prices_include_tax: bool


@dataclass(frozen=True, kw_only=True)
class CurrencyTaxModeCleared(DomainEvent):
    """The currency is back to the default mode (prices entered without tax)."""

    currency: str


EVENTS: tuple[type[DomainEvent], ...] = (
    TaxCategoryCreated,
    TaxCategoryRenamed,
    TaxCategoryDeleted,
    TaxRateCreated,
    TaxRateChanged,
    TaxRateDeleted,
    CurrencyTaxModeSet,
    CurrencyTaxModeCleared,
)
