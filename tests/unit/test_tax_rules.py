"""The rules of taxes: a rate is a percent from 0 to 100 with at most 4 decimals, at an ISO
country or a region of it; categories have codes; each change is an event."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.taxes.currency_mode import CurrencyTaxMode
from domain.taxes.errors import InvalidCurrencyMode, InvalidTaxCategory, InvalidTaxRate
from domain.taxes.events import (
    CurrencyTaxModeSet,
    TaxCategoryCreated,
    TaxCategoryRenamed,
    TaxRateChanged,
    TaxRateCreated,
)
from domain.taxes.tax_category import TaxCategory
from domain.taxes.tax_rate import TaxRate

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def a_rate(rate: str = "19", *, country: str = "DE", region: str | None = None) -> TaxRate:
    return TaxRate.create(
        id=uuid.uuid4(),
        country=country,
        region=region,
        tax_category="standard",
        rate=Decimal(rate),
        name="VAT",
        now=NOW,
    )


@pytest.mark.parametrize("rate", ["0", "7", "7.25", "19.6543", "100"])
def test_a_rate_is_a_percent_kept_exact_at_four_decimals(rate: str) -> None:
    tax_rate = a_rate(rate)
    assert tax_rate.rate == Decimal(rate)
    assert tax_rate.rate.as_tuple().exponent == -4


@pytest.mark.parametrize("rate", ["-0.01", "100.0001", "7.25001", "NaN", "Infinity"])
def test_a_rate_outside_0_to_100_or_finer_than_four_decimals_is_refused(rate: str) -> None:
    with pytest.raises(InvalidTaxRate):
        a_rate(rate)


def test_a_region_belongs_to_the_rates_country() -> None:
    assert a_rate(country="us", region="us-ca").region == "US-CA"
    with pytest.raises(InvalidTaxRate):
        a_rate(country="US", region="CA-ON")
    with pytest.raises(InvalidTaxRate):
        a_rate(country="USA")
    with pytest.raises(InvalidTaxRate):
        a_rate(country="US", region="California")


def test_a_rate_records_its_creation_and_each_real_change() -> None:
    tax_rate = a_rate("17.5", country="GB")
    tax_rate.change(rate=Decimal("20"), name=None, now=NOW)
    tax_rate.change(rate=Decimal("20.0"), name="VAT", now=NOW)  # the same: nothing happens

    created, changed = tax_rate.collect_events()
    assert isinstance(created, TaxRateCreated)
    assert (created.country, created.rate) == ("GB", Decimal("17.5"))
    assert changed == TaxRateChanged(
        occurred_at=NOW, tax_rate_id=tax_rate.id, rate=Decimal("20"), name="VAT"
    )
    with pytest.raises(InvalidTaxRate):
        tax_rate.change(rate=Decimal("101"), name=None, now=NOW)


@pytest.mark.parametrize("code", ["Standard", "", "9lives", "a b", "x" * 33])
def test_a_category_code_is_lower_case_letters_digits_dashes_and_underscores(code: str) -> None:
    with pytest.raises(InvalidTaxCategory):
        TaxCategory.create(code=code, name="Some category", now=NOW)


def test_a_category_is_renamed_but_keeps_its_code() -> None:
    category = TaxCategory.create(code="reduced", name="Reduced", now=NOW)
    category.rename("Reduced rate", now=NOW)
    assert (category.code, category.name) == ("reduced", "Reduced rate")
    created, renamed = category.collect_events()
    assert isinstance(created, TaxCategoryCreated)
    assert isinstance(renamed, TaxCategoryRenamed)
    with pytest.raises(InvalidTaxCategory):
        category.rename("  ", now=NOW)


def test_a_currency_mode_changes_only_when_it_differs() -> None:
    mode = CurrencyTaxMode.set(currency="eur", prices_include_tax=True, now=NOW)
    mode.change(prices_include_tax=True, now=NOW)
    mode.change(prices_include_tax=False, now=NOW)

    assert mode.currency == "EUR"
    assert [
        e.prices_include_tax for e in mode.collect_events() if isinstance(e, CurrencyTaxModeSet)
    ] == [
        True,
        False,
    ]
    with pytest.raises(InvalidCurrencyMode):
        CurrencyTaxMode.set(currency="euro", prices_include_tax=True, now=NOW)
