"""Money's minor units, rounding and same-currency arithmetic (ADR 0029)."""

from decimal import Decimal

import pytest

from domain.shared.money import InvalidMoney, Money, minor_units, quantum, round_half_even


@pytest.mark.parametrize(
    ("currency", "digits"),
    [
        *[(code, 0) for code in ("JPY", "KRW", "CLP", "ISK", "VND")],
        *[(code, 2) for code in ("EUR", "USD", "GBP")],
        *[(code, 3) for code in ("KWD", "BHD", "JOD", "OMR", "TND", "LYD", "IQD")],
    ],
)
def test_each_currency_has_its_minor_units(currency: str, digits: int) -> None:
    assert minor_units(currency) == digits
    assert quantum(currency) == Decimal(1).scaleb(-digits)


def test_kwd_takes_three_decimals_eur_two_and_jpy_none() -> None:
    assert Money.of("1.234", "KWD").amount == Decimal("1.234")
    assert Money.of("1.23", "EUR").amount == Decimal("1.23")
    assert Money.of("1500", "JPY").amount == Decimal("1500")
    for amount, currency in (("1.2345", "KWD"), ("1.234", "EUR"), ("1.5", "JPY")):
        with pytest.raises(InvalidMoney):
            Money.of(amount, currency)


def test_rounding_is_half_even_at_the_minor_unit() -> None:
    assert round_half_even(Decimal("0.125"), "EUR") == Decimal("0.12")
    assert round_half_even(Decimal("0.135"), "EUR") == Decimal("0.14")
    assert round_half_even(Decimal("2.5"), "JPY") == Decimal("2")
    assert round_half_even(Decimal("3.5"), "JPY") == Decimal("4")
    assert round_half_even(Decimal("1.0005"), "KWD") == Decimal("1.000")
    assert Money.rounded(Decimal("1.0015"), "KWD") == Money.of("1.002", "KWD")


def test_amounts_add_and_subtract_only_in_one_currency_and_never_below_zero() -> None:
    assert Money.of("1.10", "EUR") + Money.of("2.25", "EUR") == Money.of("3.35", "EUR")
    assert Money.of("3.35", "EUR") - Money.of("3.35", "EUR") == Money.zero("EUR")
    with pytest.raises(InvalidMoney):
        Money.of("1", "EUR") + Money.of("1", "USD")
    with pytest.raises(InvalidMoney):
        Money.of("1", "EUR") - Money.of("2", "EUR")
