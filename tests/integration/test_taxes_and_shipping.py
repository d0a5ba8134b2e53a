"""The taxes and shipping adapters against PostgreSQL: ordering's TaxRates and ShippingOptions
ports answered in one statement on the caller's connection (a region's rate overriding its
country's, the currency's mode and its default), and the repositories' uniqueness and
concurrency rules."""

from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.bootstrap import build_registry
from agora.contexts.shipping import ShippingForOrdering
from agora.contexts.taxes import TaxesForOrdering
from application.shared.errors import ConcurrencyConflict
from application.shipping import commands as sc
from application.shipping.deps import ShippingDeps
from application.shipping.handlers import shipping_method
from application.shipping.views import ShippingMethodView
from application.taxes import commands as tc
from application.taxes.deps import TaxesDeps
from application.taxes.handlers import currency_mode, tax_category, tax_rate
from domain.ordering.pricing.inputs import RateBand, ShippingBasis, ShippingKind, TaxRate
from domain.shared.money import Money
from domain.shipping.errors import ShippingMethodCodeTaken
from domain.shipping.values import Basis, MethodKind, TariffInput
from domain.taxes.errors import TaxCategoryInUse, TaxRateExists, UnknownTaxCategory
from infrastructure.db.statements import counting_statements
from infrastructure.shipping.unit_of_work import SqlShippingUnitOfWork
from infrastructure.taxes.unit_of_work import SqlTaxesUnitOfWork
from tests.support.fakes.shared import FixedClock


@pytest.fixture
def taxes(engine: AsyncEngine) -> TaxesDeps:
    registry = build_registry()
    return TaxesDeps(uow=lambda: SqlTaxesUnitOfWork(engine, registry), clock=FixedClock())


@pytest.fixture
def shipping(engine: AsyncEngine) -> ShippingDeps:
    registry = build_registry()
    return ShippingDeps(uow=lambda: SqlShippingUnitOfWork(engine, registry), clock=FixedClock())


async def rate(
    deps: TaxesDeps, country: str, category: str, percent: str, *, region: str | None = None
) -> None:
    command = tc.CreateTaxRate(
        country=country, region=region, tax_category=category, rate=Decimal(percent), name="VAT"
    )
    await tax_rate.create_tax_rate(command, deps)


async def categories(deps: TaxesDeps, *codes: str) -> None:
    for code in codes:
        command = tc.CreateTaxCategory(code=code, name=code.title())
        await tax_category.create_tax_category(command, deps)


async def mode(deps: TaxesDeps, currency: str, *, inclusive: bool) -> None:
    command = tc.SetCurrencyTaxMode(
        currency=currency, prices_include_tax=inclusive, expected_version=None
    )
    await currency_mode.set_currency_tax_mode(command, deps)


async def test_a_regions_rate_overrides_its_countrys_for_the_same_category(
    engine: AsyncEngine, taxes: TaxesDeps
) -> None:
    await categories(taxes, "standard", "reduced")
    await rate(taxes, "US", "standard", "5")
    await rate(taxes, "US", "reduced", "1")
    await rate(taxes, "US", "standard", "7.25", region="US-CA")
    await rate(taxes, "CA", "standard", "13", region="CA-ON")  # another country's region

    async with engine.connect() as conn:
        california = await TaxesForOrdering(conn).table(
            country="US", region="US-CA", currency="USD"
        )
        new_york = await TaxesForOrdering(conn).table(country="us", region="US-NY", currency="USD")
        nowhere = await TaxesForOrdering(conn).table(country="US", region=None, currency="USD")
        short = await TaxesForOrdering(conn).table(country="US", region="ca", currency="USD")

    assert california.rates == (
        TaxRate(tax_category="reduced", rate=Decimal("1"), name="VAT"),
        TaxRate(tax_category="standard", rate=Decimal("7.25"), name="VAT"),
    )
    assert (california.country, california.region) == ("US", "US-CA")
    assert (short.region, short.rates) == ("US-CA", california.rates)  # "CA" is US-CA
    assert [r.rate for r in new_york.rates] == [Decimal("1"), Decimal("5")]
    assert nowhere.rates == new_york.rates


async def test_the_currencys_mode_comes_with_the_rates_and_defaults_to_exclusive(
    engine: AsyncEngine, taxes: TaxesDeps
) -> None:
    await categories(taxes, "standard")
    await rate(taxes, "DE", "standard", "19")
    await mode(taxes, "EUR", inclusive=True)
    await mode(taxes, "GBP", inclusive=False)

    async with engine.connect() as conn:
        port = TaxesForOrdering(conn)
        eur = await port.table(country="DE", region=None, currency="EUR")
        usd = await port.table(country="DE", region=None, currency="USD")  # no mode set
        gbp = await port.table(country="DE", region=None, currency="GBP")
        bare = await port.table(country="JP", region=None, currency="EUR")  # no rates there

    assert (eur.prices_include_tax, usd.prices_include_tax, gbp.prices_include_tax) == (
        True,
        False,
        False,
    )
    assert [r.rate for r in usd.rates] == [Decimal("19")]
    assert (bare.prices_include_tax, bare.rates) == (True, ())


async def test_a_tax_table_is_one_statement_on_the_callers_transaction(
    engine: AsyncEngine, taxes: TaxesDeps
) -> None:
    await categories(taxes, "standard", "reduced", "zero")
    for category, percent in (("standard", "19"), ("reduced", "7"), ("zero", "0")):
        await rate(taxes, "DE", category, percent)
    await mode(taxes, "EUR", inclusive=True)

    async with engine.begin() as conn:
        with counting_statements() as counted:
            table = await TaxesForOrdering(conn).table(country="DE", region=None, currency="EUR")

    assert counted.statements == 1
    assert len(table.rates) == 3


async def test_one_rate_per_destination_and_category_even_without_a_region(
    taxes: TaxesDeps,
) -> None:
    await categories(taxes, "standard")
    await rate(taxes, "DE", "standard", "19")
    await rate(taxes, "US", "standard", "5")
    await rate(taxes, "US", "standard", "7.25", region="US-CA")  # a region is another place

    with pytest.raises(TaxRateExists):
        await rate(taxes, "DE", "standard", "16")  # two country-wide rates: NULLS NOT DISTINCT
    with pytest.raises(TaxRateExists):
        await rate(taxes, "US", "standard", "8", region="US-CA")
    with pytest.raises(UnknownTaxCategory):
        await rate(taxes, "DE", "luxury", "25")


async def test_a_category_in_use_cannot_be_deleted(taxes: TaxesDeps) -> None:
    await categories(taxes, "standard", "unused")
    await rate(taxes, "DE", "standard", "19")

    with pytest.raises(TaxCategoryInUse):
        await tax_category.delete_tax_category(
            tc.DeleteTaxCategory(code="standard", expected_version=0), taxes
        )
    await tax_category.delete_tax_category(
        tc.DeleteTaxCategory(code="unused", expected_version=0), taxes
    )


async def test_a_stale_save_is_a_conflict(taxes: TaxesDeps) -> None:
    await categories(taxes, "standard")
    async with taxes.uow() as first, taxes.uow() as second:
        mine = await first.categories.get("standard")
        theirs = await second.categories.get("standard")
        assert mine is not None
        assert theirs is not None
        theirs.rename("Standard rate", now=FixedClock().now())
        await second.categories.save(theirs)
        await second.commit()
        mine.rename("Full rate", now=FixedClock().now())
        with pytest.raises(ConcurrencyConflict):
            await first.categories.save(mine)


def tariff(currency: str, *bands: tuple[str, str], free_above: str | None = None) -> TariffInput:
    return TariffInput(
        currency=currency,
        bands=tuple((Decimal(a), Decimal(b)) for a, b in bands),
        free_above=None if free_above is None else Decimal(free_above),
    )


async def method(
    deps: ShippingDeps,
    code: str,
    *,
    countries: tuple[str, ...] = ("DE", "FR", "AT"),
    tariffs: tuple[TariffInput, ...] = (),
    basis: Basis = Basis.WEIGHT,
    kind: MethodKind = MethodKind.STANDARD,
    active: bool = True,
) -> ShippingMethodView:
    command = sc.CreateShippingMethod(
        code=code,
        name=code.title(),
        kind=kind,
        basis=basis,
        countries=countries,
        tariffs=tariffs or (tariff("EUR", ("0", "4.90"), ("2000", "6.90")),),
        active=active,
    )
    return await shipping_method.create_shipping_method(command, deps)


async def test_offered_options_are_active_methods_serving_the_country_in_the_currency(
    engine: AsyncEngine, shipping: ShippingDeps
) -> None:
    await method(
        shipping,
        "standard",
        tariffs=(
            tariff("EUR", ("0", "4.90"), ("2000", "6.90"), ("10000", "12.00"), free_above="50"),
            tariff("GBP", ("0", "4.50")),
        ),
    )
    await method(
        shipping,
        "express",
        kind=MethodKind.EXPRESS,
        basis=Basis.ORDER_VALUE,
        tariffs=(tariff("EUR", ("0", "14.90"), ("100", "9.90")),),
    )
    await method(shipping, "retired", active=False)
    await method(shipping, "france-only", countries=("FR",))
    await method(shipping, "dollars", tariffs=(tariff("USD", ("0", "5.00")),))

    async with engine.begin() as conn:
        with counting_statements() as counted:
            options = await ShippingForOrdering(conn).offered(country="de", currency="eur")

    assert counted.statements == 1
    assert [o.code for o in options] == ["express", "standard"]
    express, standard = options
    assert (express.kind, express.basis) == (ShippingKind.EXPRESS, ShippingBasis.ORDER_VALUE)
    assert standard.bands == (
        RateBand(from_value=Decimal("0"), price=Money.of("4.90", "EUR")),
        RateBand(from_value=Decimal("2000"), price=Money.of("6.90", "EUR")),
        RateBand(from_value=Decimal("10000"), price=Money.of("12.00", "EUR")),
    )
    assert (standard.free_above, standard.tax_category) == (Money.of("50", "EUR"), "standard")
    assert express.free_above is None


async def test_a_methods_code_is_unique(shipping: ShippingDeps) -> None:
    await method(shipping, "standard")
    with pytest.raises(ShippingMethodCodeTaken):
        await method(shipping, "standard", countries=("JP",))


async def test_changing_a_methods_tariffs_replaces_them(
    engine: AsyncEngine, shipping: ShippingDeps
) -> None:
    created = await method(shipping, "standard")
    changed = await shipping_method.change_shipping_method(
        sc.ChangeShippingMethod(
            method_id=created.id,
            expected_version=0,
            tariffs=(tariff("JPY", ("0", "800")),),
            countries=("JP",),
        ),
        shipping,
    )

    async with engine.connect() as conn:
        port = ShippingForOrdering(conn)
        assert await port.offered(country="DE", currency="EUR") == []
        (yen,) = await port.offered(country="JP", currency="JPY")
    assert changed.version == 1
    assert yen.bands == (RateBand(from_value=Decimal("0"), price=Money.of("800", "JPY")),)
