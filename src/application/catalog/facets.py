"""What a faceted search asks for and answers: counts of the filtered products by category, by
price band and by each choice or yes/no attribute of one product type (ADR 0031)."""

from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from uuid import UUID

from application.catalog.views import ProductSummary
from application.shared.errors import ApplicationError
from application.shared.pagination import Page

FACETS = ("category", "price", "attributes")
DEFAULT_PRICE_BANDS = tuple(Decimal(b) for b in ("10", "25", "50", "100", "250"))
MAX_PRICE_BANDS = 10


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


@dataclass(frozen=True, kw_only=True)
class Facets:
    """The counts asked for; a facet not asked for is None."""

    currency: str
    categories: list[CategoryCount] | None = None
    price_bands: list[PriceBandCount] | None = None
    attributes: list[AttributeFacet] | None = None


@dataclass(frozen=True, kw_only=True)
class FacetedPage:
    """A page of the search, and the facets of everything the search found (every page)."""

    page: Page[ProductSummary]
    facets: Facets
