"""Values of taxes: where a rate applies (a country, and optionally a region of it), which
goods it taxes (a category's code), and the rate itself, a percent kept exact."""

import re
from decimal import Decimal

from domain.taxes.errors import InvalidCurrencyMode, InvalidTaxCategory, InvalidTaxRate

_COUNTRY = re.compile(r"^[A-Z]{2}$")  # ISO 3166-1 alpha-2
_REGION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")  # ISO 3166-2, e.g. "US-CA"
_CODE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_NAME = 100
RATE_DECIMALS = 4
RATE_STEP = Decimal(1).scaleb(-RATE_DECIMALS)
MAX_RATE = Decimal(100)
# A currency nobody set a mode for has its prices entered without tax: adding tax on top is
# the mistake a customer notices at checkout, not one that silently shrinks the shop's revenue.
DEFAULT_PRICES_INCLUDE_TAX = False


def country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper-case."""
    code = value.strip().upper()
    if not _COUNTRY.match(code):
        raise InvalidTaxRate(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def region_code(value: str | None, *, country: str) -> str | None:
    """An ISO 3166-2 subdivision of `country` (e.g. "US-CA"), or None for the whole country."""
    if value is None:
        return None
    code = value.strip().upper()
    if not _REGION.match(code) or not code.startswith(f"{country}-"):
        raise InvalidTaxRate(f"{value!r} is not an ISO 3166-2 region of {country}")
    return code


def category_code(value: str) -> str:
    code = value.strip()
    if not _CODE.match(code):
        raise InvalidTaxCategory(
            f"{value!r} is not a tax category code (lower-case letters, digits, '-' or '_')"
        )
    return code


def currency_code(value: str) -> str:
    code = value.strip().upper()
    if not _CURRENCY.match(code):
        raise InvalidCurrencyMode(f"{value!r} is not an ISO 4217 currency code")
    return code


def rate_percent(value: Decimal) -> Decimal:
    """A percent from 0 to 100 with at most RATE_DECIMALS decimals, kept at RATE_DECIMALS (as
    the database keeps it, so a rate reads back as it was written)."""
    if not value.is_finite() or not 0 <= value <= MAX_RATE:
        raise InvalidTaxRate(f"{value} is not a percent from 0 to 100")
    if int(value.as_tuple().exponent) < -RATE_DECIMALS:
        raise InvalidTaxRate(f"{value} has more than {RATE_DECIMALS} decimals")
    return value.quantize(RATE_STEP)


def tax_name(value: str, *, what: str) -> str:
    """A name people read (a category's, or a rate's on the receipt: "VAT")."""
    name = value.strip()
    if not 1 <= len(name) <= MAX_NAME:
        error = InvalidTaxCategory if what == "category" else InvalidTaxRate
        raise error(f"a {what} name has 1 to {MAX_NAME} characters")
    return name
