"""Facet counts of a search (ADR 0031): the search's own filters, no pagination, and one
GROUPING SETS statement that counts the filtered products once per facet column.

Each facet source is one function from the request (and the product type whose attributes are
asked for) to the columns it groups by and how it reads their counts back; `SOURCES` lists them.
A new facet is one more function there and one field of `Facets`. Products are counted
DISTINCT by id, so a source may add a join that repeats a product (the options facet joins each
product's active variants' option pairs)."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, FromClause, case, distinct, func, select, true, tuple_
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.catalog.facets import (
    AttributeFacet,
    CategoryCount,
    FacetRequest,
    Facets,
    OptionFacet,
    PriceBandCount,
    ValueCount,
)
from application.catalog.views import ProductSearch
from domain.catalog.attribute_schema import AttributeDefinition, AttributeKind
from domain.catalog.product_type import ProductType
from infrastructure.catalog.product_types import product_type_from_row
from infrastructure.catalog.readers import build_search
from infrastructure.catalog.tables import catalog_variants, product_types, products
from infrastructure.db.engine import single_statement_reads

Counts = Mapping[str, list[tuple[Any, int]]]  # by column key: (value, products) pairs


@dataclass(frozen=True)
class FacetColumn:
    """One grouping set: an expression over the filtered products, under a unique key."""

    key: str
    expression: ColumnElement[Any]


@dataclass(frozen=True)
class FacetSource:
    """The columns one facet groups by, and how it turns their counts into its `Facets` field."""

    columns: list[FacetColumn]
    answer: Callable[[Counts], dict[str, Any]]
    # Lateral subqueries LEFT JOINed to the filtered products (their rows stay when it is empty).
    joins: list[FromClause] = field(default_factory=list)


def category_facet(request: FacetRequest, _: ProductType | None) -> FacetSource | None:
    """Products directly in each category: a parent's count leaves out its subcategories'."""
    if "category" not in request.names:
        return None

    def answer(counts: Counts) -> dict[str, Any]:
        found = sorted(counts["category"], key=lambda vc: (-vc[1], str(vc[0])))
        return {"categories": [CategoryCount(category_id=v, count=n) for v, n in found]}

    return FacetSource([FacetColumn("category", products.c.category_id)], answer)


def price_facet(request: FacetRequest, _: ProductType | None) -> FacetSource | None:
    """Products by price band, among those priced in the request's currency."""
    if "price" not in request.names:
        return None
    bounds = request.price_bands
    band = case(
        (
            products.c.price_currency == request.currency,
            func.width_bucket(products.c.price_amount, array(bounds)),
        ),
        else_=None,
    )

    def answer(counts: Counts) -> dict[str, Any]:
        found = {v: n for v, n in counts["price"] if v is not None}
        lows, highs = (Decimal(0), *bounds), (*bounds, None)
        return {
            "price_bands": [
                PriceBandCount(minimum=low, maximum=high, count=found.get(index, 0))
                for index, (low, high) in enumerate(zip(lows, highs, strict=True))
            ]
        }

    return FacetSource([FacetColumn("price", band)], answer)


def attribute_facet(request: FacetRequest, product_type: ProductType | None) -> FacetSource | None:
    """Products by the value of each choice and yes/no attribute of the type, every value of
    the schema listed (zero when none has it)."""
    if "attributes" not in request.names or product_type is None:
        return None
    counted = [
        d
        for d in product_type.attributes
        if d.kind in (AttributeKind.CHOICE, AttributeKind.BOOLEAN)
    ]
    columns = [
        FacetColumn(f"attribute:{d.code}", products.c.attributes[d.code].astext) for d in counted
    ]

    def answer(counts: Counts) -> dict[str, Any]:
        return {"attributes": [_attribute(d, counts[f"attribute:{d.code}"]) for d in counted]}

    return FacetSource(columns, answer)


def option_facet(request: FacetRequest, _: ProductType | None) -> FacetSource | None:
    """Products by each option value one of their ACTIVE variants has: the pairs are counted as
    one JSONB column `["size", "M"]`, so every option is one grouping set."""
    if "options" not in request.names:
        return None
    v = catalog_variants.alias("faceted_variants")
    pairs = (
        select(func.jsonb_array_elements(v.c.options).label("pair"))
        .where(v.c.product_id == products.c.id, v.c.active)
        .lateral("option_pairs")
    )

    def answer(counts: Counts) -> dict[str, Any]:
        by_name: dict[str, list[ValueCount]] = {}
        found = sorted(
            (pair for pair in counts["options"] if pair[0] is not None),
            key=lambda pn: (pn[0][0], -pn[1], pn[0][1]),
        )
        for (name, value), n in found:
            by_name.setdefault(name, []).append(ValueCount(value=value, count=n))
        return {"options": [OptionFacet(name=k, values=vs) for k, vs in by_name.items()]}

    return FacetSource([FacetColumn("options", pairs.c.pair)], answer, joins=[pairs])


SOURCES: tuple[Callable[[FacetRequest, ProductType | None], FacetSource | None], ...] = (
    category_facet,
    price_facet,
    attribute_facet,
    option_facet,
)


class SqlFacetCounter:
    """The FacetCounter port: the product type's schema (when attribute facets are asked for),
    then one statement for every facet."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = single_statement_reads(engine)

    async def facets(self, query: ProductSearch, request: FacetRequest) -> Facets:
        async with self._engine.connect() as conn:
            product_type = await _product_type(conn, query, request)
            sources = [s for f in SOURCES if (s := f(request, product_type)) is not None]
            columns = [c for s in sources for c in s.columns]
            counts = await count_facets(conn, query, columns, [j for s in sources for j in s.joins])
        fields: dict[str, Any] = {}
        for source in sources:
            fields |= source.answer(counts)
        return Facets(currency=request.currency, **fields)


async def count_facets(
    conn: AsyncConnection,
    query: ProductSearch,
    columns: Sequence[FacetColumn],
    joins: Sequence[FromClause] = (),
) -> Counts:
    """Every column's (value, products) pairs over the search's whole result, in one GROUPING
    SETS statement. The facet columns are computed once in a subquery, so the grouping sets and
    GROUPING() name plain columns of it."""
    if not columns:
        return {}
    filtered, _, _ = build_search(query)
    for join in joins:
        filtered = filtered.outerjoin(join, true())
    faceted = filtered.with_only_columns(
        products.c.id, *(c.expression.label(f"f{i}") for i, c in enumerate(columns))
    ).subquery("faceted")
    keys = [faceted.c[f"f{i}"] for i in range(len(columns))]
    statement = select(
        func.grouping(*keys).label("grouping"),
        *keys,
        func.count(distinct(faceted.c.id)).label("products"),
    ).group_by(func.grouping_sets(*(tuple_(k) for k in keys)))
    rows = (await conn.execute(statement)).all()
    # GROUPING() has one bit per key, the first key the highest, set where the key is NOT
    # grouped: the set of key i has every bit but its own.
    full = (1 << len(keys)) - 1
    index_of = {full ^ (1 << (len(keys) - 1 - i)): i for i in range(len(keys))}
    counts: dict[str, list[tuple[Any, int]]] = {c.key: [] for c in columns}
    for row in rows:
        i = index_of[row.grouping]
        counts[columns[i].key].append((row[i + 1], row.products))
    return counts


async def _product_type(
    conn: AsyncConnection, query: ProductSearch, request: FacetRequest
) -> ProductType | None:
    if "attributes" not in request.names or query.product_type_id is None:
        return None
    return await _read_type(conn, query.product_type_id)


async def _read_type(conn: AsyncConnection, product_type_id: UUID) -> ProductType | None:
    statement = select(product_types).where(product_types.c.id == product_type_id)
    row = (await conn.execute(statement)).first()
    return None if row is None else product_type_from_row(row._mapping)


def _attribute(definition: AttributeDefinition, found: list[tuple[Any, int]]) -> AttributeFacet:
    counts = {value: n for value, n in found if value is not None}
    values: list[tuple[str | bool, str]]  # each value, and its text in the JSON column
    if definition.kind is AttributeKind.BOOLEAN:
        values = [(True, "true"), (False, "false")]
    else:
        values = [(choice, choice) for choice in definition.choices]
    return AttributeFacet(
        code=definition.code,
        label=definition.label,
        kind=definition.kind.value,
        values=[ValueCount(value=v, count=counts.get(text, 0)) for v, text in values],
    )
