"""Faceted search over HTTP: the query parameters that ask for facets, and the page answered
with them (ADR 0031). Kept apart from the plain list, which renders `ProductPage` as before."""

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import Query
from pydantic import Field, TypeAdapter

from api.catalog.schemas import ProductPage
from api.schemas import DecimalString, ResponseModel, SafeStr
from application.catalog.facets import FacetedPage, FacetRequest

FacetNames = Annotated[
    SafeStr | None,
    Query(
        pattern=r"^[a-z]+(,[a-z]+){0,3}$",
        max_length=50,
        description="Comma-separated: `category` (direct counts), `price`, `attributes` (of "
        "the `product_type_id` given), `options` (the values of active variants' options)",
    ),
]
PriceBands = Annotated[
    SafeStr | None,
    Query(
        pattern=r"^\d{1,8}(\.\d{1,2})?(,\d{1,8}(\.\d{1,2})?){0,9}$",
        description="Rising band bounds, e.g. `10,25,50` for 0-10, 10-25, 25-50 and 50+",
    ),
]
OptionFilters = Annotated[
    list[SafeStr] | None,
    Query(
        description="`name:value`, repeatable: products with one active variant having every "
        "value given, e.g. `option=size:M&option=colour:red`",
    ),
]
FacetCurrency = Annotated[
    SafeStr, Query(pattern=r"^[A-Za-z]{3}$", description="The price bands' currency")
]


def facet_request(facets: str, *, price_bands: str | None, currency: str) -> FacetRequest:
    """The facets asked for, from the parameters (their patterns already hold)."""
    bands = (
        {} if price_bands is None else {"price_bands": tuple(map(Decimal, price_bands.split(",")))}
    )
    return FacetRequest(names=frozenset(facets.split(",")), currency=currency.upper(), **bands)


class CategoryCountResponse(ResponseModel):
    """Products directly in the category (`null`: in none)."""

    category_id: UUID | None
    count: int


class PriceBandResponse(ResponseModel):
    """Products priced from `minimum` (included) to `maximum` (excluded; `null`: no limit)."""

    minimum: DecimalString
    maximum: DecimalString | None
    count: int


class ValueCountResponse(ResponseModel):
    value: str | bool
    count: int


class AttributeFacetResponse(ResponseModel):
    """A choice or yes/no attribute of the product type, every value with its count."""

    code: str
    label: str
    kind: str
    values: list[ValueCountResponse]


class OptionFacetResponse(ResponseModel):
    """An option name, each value of it some active variant has, with its product count."""

    name: str
    values: list[ValueCountResponse]


class FacetsResponse(ResponseModel):
    """Counts over every product the search found, not only this page."""

    currency: str = Field(examples=["EUR"])
    categories: list[CategoryCountResponse] | None
    price_bands: list[PriceBandResponse] | None
    attributes: list[AttributeFacetResponse] | None
    options: list[OptionFacetResponse] | None = None


class FacetedProductPage(ProductPage):
    """A page of products; with `?facets=`, also the facets of the whole result."""

    facets: FacetsResponse | None = None


_FACETED_PAGE = TypeAdapter(FacetedProductPage)


def faceted_page_json(faceted: FacetedPage) -> bytes:
    """The JSON of a page with its facets."""
    page = faceted.page
    body = {"items": page.items, "next_cursor": page.next_cursor, "facets": faceted.facets}
    return _FACETED_PAGE.dump_json(FacetedProductPage.model_validate(body))
