"""Values of shipping: what kind of delivery a method is, what its price bands measure, and its
tariff in one currency (the bands, and the order value above which it is free)."""

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.shared.money import InvalidMoney, Money
from domain.shipping.errors import InvalidRateBands, InvalidShippingMethod

_CODE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_NAME = 100
MAX_BANDS = 50
MAX_GRAMS = 1_000_000  # a tonne: anything heavier is freight, not parcel shipping
DEFAULT_TAX_CATEGORY = "standard"


class MethodKind(StrEnum):
    """How the parcel reaches the customer."""

    STANDARD = "standard"
    EXPRESS = "express"
    PICKUP = "pickup"


class Basis(StrEnum):
    """What the price bands measure."""

    WEIGHT = "weight"  # grams: the cart's weight
    ORDER_VALUE = "order_value"  # the merchandise subtotal after promotions, in the currency


@dataclass(frozen=True, kw_only=True)
class RateBand:
    """From `from_value` on (grams or an amount), the shipping price is `price`."""

    from_value: Decimal
    price: Money


@dataclass(frozen=True, kw_only=True)
class Tariff:
    """A method's prices in one currency: bands from 0 up, and optionally free from an order
    value on."""

    currency: str
    bands: tuple[RateBand, ...]
    free_above: Money | None = None

    @classmethod
    def of(
        cls,
        *,
        currency: str,
        bands: Sequence[tuple[Decimal, Decimal]],
        free_above: Decimal | None,
        basis: Basis,
    ) -> "Tariff":
        """Bands as (from, price) pairs: they start at 0 and strictly increase; a weight is in
        whole grams, an order value and every price in the currency's minor unit."""
        code = currency.strip().upper()
        if not 1 <= len(bands) <= MAX_BANDS:
            raise InvalidRateBands(f"{code}: 1 to {MAX_BANDS} bands")
        try:
            priced = [
                RateBand(from_value=start, price=Money.of(price, code)) for start, price in bands
            ]
            free = None if free_above is None else Money.of(free_above, code)
            if basis is Basis.ORDER_VALUE:
                for start, _ in bands:
                    Money.of(start, code)  # an order value is an amount in the currency
        except InvalidMoney as exc:
            raise InvalidRateBands(f"{code}: {exc.detail}") from None
        _check_starts([band.from_value for band in priced], basis=basis, currency=code)
        return cls(currency=code, bands=tuple(priced), free_above=free)


def _check_starts(starts: list[Decimal], *, basis: Basis, currency: str) -> None:
    if starts[0] != 0:
        raise InvalidRateBands(f"{currency}: the first band starts at 0")
    if any(b <= a for a, b in itertools.pairwise(starts)):
        raise InvalidRateBands(f"{currency}: each band starts above the one before")
    if basis is Basis.WEIGHT and any(s != s.to_integral_value() or s > MAX_GRAMS for s in starts):
        raise InvalidRateBands(f"{currency}: weight bands start at whole grams up to {MAX_GRAMS}")


def method_code(value: str) -> str:
    code = value.strip()
    if not _CODE.match(code):
        raise InvalidShippingMethod(
            f"{value!r} is not a code (lower-case letters, digits, '-' or '_', 32 at most)"
        )
    return code


def method_name(value: str) -> str:
    name = value.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise InvalidShippingMethod(f"a name has 1 to {MAX_NAME} characters")
    return name


def countries_of(values: Iterable[str]) -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, at least one."""
    codes = frozenset(v.strip().upper() for v in values)
    wrong = sorted(c for c in codes if not _COUNTRY.match(c))
    if wrong or not codes:
        raise InvalidShippingMethod(
            f"countries are ISO 3166-1 alpha-2 codes, at least one: {', '.join(wrong)}"
        )
    return codes


def max_weight(value: int | None) -> int | None:
    if value is not None and not 0 < value <= MAX_GRAMS:
        raise InvalidShippingMethod(f"a weight limit is 1 to {MAX_GRAMS} grams")
    return value


def tax_category_code(value: str) -> str:
    """A tax category's code, by its format: the taxes context knows which exist, and a
    category without a rate at a destination is taxed at zero there."""
    code = value.strip()
    if not _CODE.match(code):
        raise InvalidShippingMethod(f"{value!r} is not a tax category code")
    return code


@dataclass(frozen=True, kw_only=True)
class TariffInput:
    """A tariff as staff write it, before it is checked against the method's basis."""

    currency: str
    bands: tuple[tuple[Decimal, Decimal], ...]  # (from_value, price)
    free_above: Decimal | None = None
