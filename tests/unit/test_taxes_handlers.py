"""The tax handlers over in-memory fakes: a rate needs a category that exists, a change names
the version it read (428 without, 412 when stale), and every change reaches the log."""

from decimal import Decimal

import pytest

from application.shared.errors import PreconditionFailed, PreconditionRequired
from application.taxes import commands as c
from application.taxes.handlers import currency_mode, tax_category, tax_rate
from domain.taxes.errors import CurrencyModeNotFound, UnknownTaxCategory
from domain.taxes.events import (
    CurrencyTaxModeCleared,
    CurrencyTaxModeSet,
    TaxCategoryCreated,
    TaxRateChanged,
    TaxRateCreated,
    TaxRateDeleted,
)
from tests.support.fakes.taxes import taxes_deps

VAT = c.CreateTaxRate(
    country="DE", region=None, tax_category="standard", rate=Decimal("19"), name="VAT"
)


async def test_a_rate_needs_a_category_that_exists() -> None:
    deps, store = taxes_deps()
    with pytest.raises(UnknownTaxCategory):
        await tax_rate.create_tax_rate(VAT, deps)

    await tax_category.create_tax_category(c.CreateTaxCategory(code="standard", name="Std"), deps)
    created = await tax_rate.create_tax_rate(VAT, deps)

    assert (created.rate, created.version) == (Decimal("19"), 0)
    assert [type(e) for e in store.events()] == [TaxCategoryCreated, TaxRateCreated]


async def test_a_change_names_the_version_it_read() -> None:
    deps, store = taxes_deps()
    await tax_category.create_tax_category(c.CreateTaxCategory(code="standard", name="Std"), deps)
    created = await tax_rate.create_tax_rate(VAT, deps)

    def change(version: int | None) -> c.ChangeTaxRate:
        return c.ChangeTaxRate(tax_rate_id=created.id, expected_version=version, rate=Decimal(16))

    with pytest.raises(PreconditionRequired):
        await tax_rate.change_tax_rate(change(None), deps)
    changed = await tax_rate.change_tax_rate(change(0), deps)
    with pytest.raises(PreconditionFailed):
        await tax_rate.change_tax_rate(change(0), deps)
    with pytest.raises(PreconditionFailed):
        await tax_rate.delete_tax_rate(
            c.DeleteTaxRate(tax_rate_id=created.id, expected_version=0), deps
        )
    await tax_rate.delete_tax_rate(
        c.DeleteTaxRate(tax_rate_id=created.id, expected_version=1), deps
    )

    assert (changed.rate, changed.version) == (Decimal(16), 1)
    assert store.rates == {}
    assert [type(e) for e in store.events()][-2:] == [TaxRateChanged, TaxRateDeleted]


async def test_a_currency_mode_is_set_once_freely_then_changed_from_its_version() -> None:
    deps, store = taxes_deps()

    def set_mode(inclusive: bool, version: int | None) -> c.SetCurrencyTaxMode:
        return c.SetCurrencyTaxMode(
            currency="eur", prices_include_tax=inclusive, expected_version=version
        )

    first = await currency_mode.set_currency_tax_mode(set_mode(True, None), deps)
    with pytest.raises(PreconditionRequired):
        await currency_mode.set_currency_tax_mode(set_mode(False, None), deps)
    second = await currency_mode.set_currency_tax_mode(set_mode(False, 0), deps)
    await currency_mode.clear_currency_tax_mode(
        c.ClearCurrencyTaxMode(currency="EUR", expected_version=1), deps
    )
    with pytest.raises(CurrencyModeNotFound):
        await currency_mode.clear_currency_tax_mode(
            c.ClearCurrencyTaxMode(currency="EUR", expected_version=2), deps
        )

    assert (first.currency, first.prices_include_tax, second.version) == ("EUR", True, 1)
    assert [type(e) for e in store.events()] == [
        CurrencyTaxModeSet,
        CurrencyTaxModeSet,
        CurrencyTaxModeCleared,
    ]
