"""What a faceted search asks for and answers: counts of the filtered products by category, by
price band, by each choice or yes/no attribute of one product type, and by the values of the
variants' options; and the option filter of a search (ADR 0031)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from uuid import UUID

from application.catalog.views import ProductSummary
from application.shared.errors import ApplicationError
from application.shared.pagination import Page
from domain.shared.text import text_fault

FACETS = ("category", "price", "attributes", "options")
DEFAULT_PRICE_BANDS = tuple(Decimal(b) for b in ("10", "25", "50", "100", "250"))
MAX_PRICE_BANDS = 10
MAX_OPTION_FILTERS = 3  # a product has at most three options (domain/catalog/values.py)
_OPTION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class InvalidFacets(ApplicationError):
    """Facets that cannot be counted as asked: an unknown name, bands out of order, attribute
    facets without a product type."""


@dataclass(frozen=True, kw_only=True)
class FacetRequest:
    """Which facets to count. Price bands are given by their lower bounds after the first: the
    bands `0-10`, `10-25`, ... `250+` for the default bounds, in `currency`."""

    names: frozenset[str]
    currency: str = "EUR"
    price_bands: tuple[Decimal, ...] = DEFAULT_PRICE_BANDS

    def __post_init__(self) -> None:
        if unknown := sorted(self.names - set(FACETS)):
            raise InvalidFacets(f"unknown facets: {', '.join(unknown)}; known: {', '.join(FACETS)}")
        bands = self.price_bands
        if not 1 <= len(bands) <= MAX_PRICE_BANDS:
            raise InvalidFacets(f"give 1 to {MAX_PRICE_BANDS} price band bounds")
        if any(b < 0 for b in bands) or any(a >= b for a, b in pairwise(bands)):
            raise InvalidFacets("price band bounds are positive and rising")
        if not (len(self.currency) == 3 and self.currency.isascii() and self.currency.isalpha()):
            raise InvalidFacets("the facets' currency is a three-letter code")


class InvalidOptionFilter(ApplicationError):
    """An option filter that is not `name:value` pairs, names one option twice, or too many."""


def option_filter(raw: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The `name:value` pairs one active variant must all have, sorted by name (so the same
    filter in another order is the same search, and the same cache entry)."""
    if len(raw) > MAX_OPTION_FILTERS:
        raise InvalidOptionFilter(f"give at most {MAX_OPTION_FILTERS} option filters")
    pairs: dict[str, str] = {}
    for item in raw:
        name, colon, value = item.partition(":")
        value = value.strip()
        if not colon or not _OPTION_NAME.match(name):
            raise InvalidOptionFilter(f"{item!r}: an option filter is name:value, e.g. size:M")
        if fault := text_fault(value) or (None if 1 <= len(value) <= 40 else "has 1 to 40 chars"):
            raise InvalidOptionFilter(f"{item!r}: the value {fault}")
        if name in pairs:
            raise InvalidOptionFilter(f"option {name!r} is filtered twice; a variant has one value")
        pairs[name] = value
    return tuple(sorted(pairs.items()))


@dataclass(frozen=True)
class CategoryCount:
    """Products directly in a category (None: in no category); subcategories count apart."""

    category_id: UUID | None
    count: int


@dataclass(frozen=True)
class PriceBandCount:
    """Products priced from `minimum` (included) up to `maximum` (excluded; None: no limit)."""

    minimum: Decimal
    maximum: Decimal | None
    count: int


@dataclass(frozen=True)
class ValueCount:
    """Products whose attribute has this value."""

    value: str | bool
    count: int


@dataclass(frozen=True)
class AttributeFacet:
    """One choice or yes/no attribute: every value its schema allows, with its count."""

    code: str
    label: str
    kind: str
    values: list[ValueCount]


@dataclass(frozen=True)
class OptionFacet:
    """One option name of the products found, each value some active variant has, with the
    number of those products having such a variant."""

    name: str
    values: list[ValueCount]


@dataclass(frozen=True, kw_only=True)
class Facets:
    """The counts asked for; a facet not asked for is None."""

    currency: str
    categories: list[CategoryCount] | None = None
    price_bands: list[PriceBandCount] | None = None
    attributes: list[AttributeFacet] | None = None
    options: list[OptionFacet] | None = None


@dataclass(frozen=True, kw_only=True)
class FacetedPage:
    """A page of the search, and the facets of everything the search found (every page)."""

    page: Page[ProductSummary]
    facets: Facets
