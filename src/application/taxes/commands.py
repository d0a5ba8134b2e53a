"""Tax commands. Changes and deletions carry the `expected_version` read from the ETag: None
(no If-Match) is refused with 428."""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from application.shared.bus import Command
from application.taxes.views import CurrencyModeView, TaxCategoryView, TaxRateView


@dataclass(frozen=True, kw_only=True)
class CreateTaxCategory(Command[TaxCategoryView]):
    code: str
    name: str


@dataclass(frozen=True, kw_only=True)
class RenameTaxCategory(Command[TaxCategoryView]):
    code: str
    name: str
    expected_version: int | None


@dataclass(frozen=True, kw_only=True)
class DeleteTaxCategory(Command[None]):
    """Refused while rates use the category."""

    code: str
    expected_version: int | None


@dataclass(frozen=True, kw_only=True)
class CreateTaxRate(Command[TaxRateView]):
    country: str
    region: str | None
    tax_category: str
    rate: Decimal
    name: str


@dataclass(frozen=True, kw_only=True)
class ChangeTaxRate(Command[TaxRateView]):
    """A partial update: a field left None keeps its value."""

    tax_rate_id: UUID
    expected_version: int | None
    rate: Decimal | None = None
    name: str | None = None


@dataclass(frozen=True, kw_only=True)
class DeleteTaxRate(Command[None]):
    tax_rate_id: UUID
    expected_version: int | None


@dataclass(frozen=True, kw_only=True)
class SetCurrencyTaxMode(Command[CurrencyModeView]):
    """Create the currency's mode, or change it (which needs `expected_version`)."""

    currency: str
    prices_include_tax: bool
    expected_version: int | None


@dataclass(frozen=True, kw_only=True)
class ClearCurrencyTaxMode(Command[None]):
    """Back to the default mode."""

    currency: str
    expected_version: int | None
