"""What tax queries and commands return, and the rates that apply at one destination."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from application.shared.pagination import DEFAULT_LIMIT
from application.shared.views import view_of
from domain.taxes.currency_mode import CurrencyTaxMode
from domain.taxes.tax_category import TaxCategory
from domain.taxes.tax_rate import TaxRate


@dataclass(frozen=True, kw_only=True)
class TaxCategoryView:
    """A tax category; `version` is its ETag."""

    code: str
    name: str
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, category: TaxCategory) -> "TaxCategoryView":
        return view_of(cls, category)


@dataclass(frozen=True, kw_only=True)
class TaxRateView:
    """A category's rate at a destination; `version` is its ETag."""

    id: UUID
    country: str
    region: str | None
    tax_category: str
    rate: Decimal
    name: str
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, tax_rate: TaxRate) -> "TaxRateView":
        return view_of(cls, tax_rate)


@dataclass(frozen=True, kw_only=True)
class CurrencyModeView:
    """How prices in a currency are entered; `version` is its ETag."""

    currency: str
    prices_include_tax: bool
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, mode: CurrencyTaxMode) -> "CurrencyModeView":
        return view_of(cls, mode)


@dataclass(frozen=True, kw_only=True)
class TaxRateSearch:
    """Staff's list of rates, by country, region and category; `country` narrows it."""

    country: str | None = None
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True, kw_only=True)
class RateAtDestination:
    """The rate that applies to one category at a destination (the region's, else the
    country's)."""

    tax_category: str
    rate: Decimal
    name: str


@dataclass(frozen=True, kw_only=True)
class DestinationTaxes:
    """Every category's rate at a destination, and the currency's mode (None when no mode was
    set for it: the caller applies the default)."""

    prices_include_tax: bool | None
    rates: tuple[RateAtDestination, ...]
