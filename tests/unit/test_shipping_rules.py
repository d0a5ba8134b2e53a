"""The rules of shipping methods: bands start at 0 and increase, prices are amounts in the
tariff's currency (never negative), one tariff per currency, weight bands in whole grams, and a
new basis comes with its tariffs."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.shared.money import Money
from domain.shipping.errors import InvalidRateBands, InvalidShippingMethod
from domain.shipping.events import ShippingMethodChanged, ShippingMethodCreated
from domain.shipping.shipping_method import ShippingMethod
from domain.shipping.values import Basis, MethodKind, RateBand, TariffInput

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def tariff(currency: str, *bands: tuple[str, str], free_above: str | None = None) -> TariffInput:
    return TariffInput(
        currency=currency,
        bands=tuple((Decimal(a), Decimal(b)) for a, b in bands),
        free_above=None if free_above is None else Decimal(free_above),
    )


def a_method(
    *tariffs: TariffInput, basis: Basis = Basis.WEIGHT, countries: tuple[str, ...] = ("DE",)
) -> ShippingMethod:
    return ShippingMethod.create(
        id=uuid.uuid4(),
        code="standard",
        name="Standard parcel",
        kind=MethodKind.STANDARD,
        basis=basis,
        countries=countries,
        tariffs=tariffs or (tariff("EUR", ("0", "4.90")),),
        tax_category="standard",
        max_weight_grams=None,
        active=True,
        now=NOW,
    )


def test_a_tariff_keeps_its_bands_in_order_with_prices_in_its_currency() -> None:
    method = a_method(
        tariff("eur", ("0", "4.90"), ("2000", "6.90"), free_above="50"),
        tariff("JPY", ("0", "800")),
    )

    assert list(method.tariffs) == ["EUR", "JPY"]
    euros = method.tariffs["EUR"]
    assert euros.bands == (
        RateBand(from_value=Decimal("0"), price=Money.of("4.90", "EUR")),
        RateBand(from_value=Decimal("2000"), price=Money.of("6.90", "EUR")),
    )
    assert euros.free_above == Money.of("50", "EUR")
    (created,) = method.collect_events()
    assert isinstance(created, ShippingMethodCreated)
    assert created.currencies == ("EUR", "JPY")


@pytest.mark.parametrize(
    "bands",
    [
        (("5", "4.90"),),  # does not start at 0
        (("0", "4.90"), ("2000", "6.90"), ("2000", "7.90")),  # does not increase
        (("0", "4.90"), ("3000", "6.90"), ("2000", "7.90")),
        (("0", "-1.00"),),  # a negative price
        (("0", "4.999"),),  # finer than the currency's minor unit
        (("0", "4.90"), ("0.5", "5.90")),  # half a gram
    ],
)
def test_bands_start_at_zero_increase_and_price_in_the_currency(
    bands: tuple[tuple[str, str], ...],
) -> None:
    with pytest.raises(InvalidRateBands):
        a_method(tariff("EUR", *bands))


def test_order_value_bands_are_amounts_of_the_currency() -> None:
    a_method(tariff("EUR", ("0", "9.90"), ("49.99", "0")), basis=Basis.ORDER_VALUE)
    with pytest.raises(InvalidRateBands):
        a_method(tariff("JPY", ("0", "900"), ("4999.5", "0")), basis=Basis.ORDER_VALUE)


def test_one_tariff_per_currency_and_at_least_one() -> None:
    with pytest.raises(InvalidRateBands):
        a_method(tariff("EUR", ("0", "4.90")), tariff("eur", ("0", "5.90")))
    with pytest.raises(InvalidRateBands):
        a_method(tariff("EUR", ("0", "4.90"), free_above="-5"))
    with pytest.raises(InvalidRateBands):
        a_method(tariff("EURO", ("0", "4.90")))
    with pytest.raises(InvalidRateBands):
        a_method(tariff("EUR"))


def test_a_method_serves_iso_countries() -> None:
    assert a_method(countries=("de", "FR")).countries == frozenset({"DE", "FR"})
    with pytest.raises(InvalidShippingMethod):
        a_method(countries=())
    with pytest.raises(InvalidShippingMethod):
        a_method(countries=("Germany",))


def test_a_new_basis_comes_with_its_tariffs() -> None:
    method = a_method()
    with pytest.raises(InvalidRateBands):
        method.change(now=NOW, basis=Basis.ORDER_VALUE)

    method.change(
        now=NOW, basis=Basis.ORDER_VALUE, tariffs=(tariff("EUR", ("0", "5"), ("50", "0")),)
    )
    method.change(now=NOW, max_weight_grams=5000)
    method.change(now=NOW, clear_max_weight=True, active=False)

    assert (method.basis, method.max_weight_grams, method.active) == (
        Basis.ORDER_VALUE,
        None,
        False,
    )
    changes = [e for e in method.collect_events() if isinstance(e, ShippingMethodChanged)]
    assert [c.active for c in changes] == [True, True, False]
