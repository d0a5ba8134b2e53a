"""The catalog read side: full-text search with filters and keyset pagination, product details,
categories, and a streamed export. SQLAlchemy Core into DTOs; no aggregates."""

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from datetime import datetime
from decimal import InvalidOperation
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.catalog.views import (
    CategoryView,
    OptionView,
    ProductDetails,
    ProductSearch,
    ProductSummary,
    Render,
    RenderedProduct,
    VariantForSale,
    VariantView,
)
from application.shared.errors import InvalidCursor
from application.shared.pagination import (
    Page,
    cursor_amount,
    cursor_instant,
    cursor_number,
    decode_cursor,
    encode_cursor,
    page_of,
)
from application.shared.views import view_of
from domain.catalog.values import ProductStatus
from infrastructure.catalog.tables import catalog_variants, categories, product_images, products
from infrastructure.catalog.variant_rows import (
    options_of_json,
    variant_of_json,
    variants_of_product,
)
from infrastructure.db.engine import single_statement_reads

SUMMARY = [
    products.c.id,
    products.c.sku,
    products.c.name,
    products.c.price_amount,
    products.c.price_currency,
    products.c.category_id,
    products.c.status,
    products.c.created_at,
]
DETAILS = [
    *SUMMARY,
    products.c.description,
    products.c.attributes,
    products.c.image_ids,
    products.c.updated_at,
    products.c.version,
    products.c.options,
    products.c.tax_category,
    # The public see active variants only; the product and its variants are one statement.
    variants_of_product(include_inactive=False).label("variants"),
]
STAFF_DETAILS = [*DETAILS[:-1], variants_of_product(include_inactive=True).label("variants")]


MAX_CATEGORY_DEPTH = 32


def subtree(category_id: UUID) -> Select[tuple[UUID]]:
    """The category and every category below it (recursive CTE over the adjacency list)."""
    tree = (
        select(categories.c.id).where(categories.c.id == category_id).cte("subtree", recursive=True)
    )
    # UNION, not UNION ALL: even a cycle in the data could not make the walk endless.
    tree = tree.union(select(categories.c.id).join(tree, categories.c.parent_id == tree.c.id))
    return select(tree.c.id)


def build_search(query: ProductSearch) -> tuple[Select[Any], ColumnElement[Any], bool]:
    """The search statement (without pagination), its sort key, and whether it descends."""
    statement = select(*SUMMARY)
    if not query.include_all:
        statement = statement.where(products.c.status == ProductStatus.ACTIVE)
    key: ColumnElement[Any]
    descending = query.sort in ("newest", "relevance")
    if query.text:
        terms = func.websearch_to_tsquery("english", query.text)
        statement = statement.where(products.c.search.op("@@")(terms))
        rank = func.ts_rank(products.c.search, terms)
        statement = statement.add_columns(rank.label("rank"))
    if query.category_id is not None:
        # `= ANY(ARRAY(subtree))` rather than `IN (subtree)`: the planner then probes the
        # category index per subtree member instead of walking a sort index and filtering.
        members = func.array(subtree(query.category_id).scalar_subquery())
        statement = statement.where(products.c.category_id == func.any(members))
    if query.min_price is not None:
        statement = statement.where(products.c.price_amount >= query.min_price)
    if query.max_price is not None:
        statement = statement.where(products.c.price_amount <= query.max_price)
    if query.attributes:
        statement = statement.where(products.c.attributes.contains(query.attributes))
    if query.sort == "relevance" and query.text:
        key = rank
    elif query.sort == "price":
        key = products.c.price_amount
    elif query.sort == "name":
        key = products.c.name
    else:
        key, descending = products.c.created_at, True
    return statement, key, descending


class SqlCatalogReader:
    """The CatalogReader port over the catalog's tables."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = single_statement_reads(engine)
        self._streams = engine  # the export's cursor needs a transaction

    async def search(self, query: ProductSearch) -> Page[ProductSummary]:
        statement, key, descending = build_search(query)
        row_key = tuple_(key, products.c.id)
        if query.cursor is not None:
            after = tuple_(*_cursor_values(query))
            statement = statement.where(row_key < after if descending else row_key > after)
        order = [key.desc(), products.c.id.desc()] if descending else [key, products.c.id]
        statement = statement.order_by(*order).limit(query.limit + 1)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement.add_columns(key.label("sort_key")))).all()
        return page_of(
            rows,
            query.limit,
            item=lambda r: _summary(r._mapping),
            cursor=lambda r: encode_cursor([query.sort, _key_text(r.sort_key), str(r.id)]),
        )

    async def details(self, product_id: UUID, *, include_all: bool) -> ProductDetails | None:
        statement = select(*(STAFF_DETAILS if include_all else DETAILS)).where(
            products.c.id == product_id
        )
        if not include_all:
            statement = statement.where(products.c.status == ProductStatus.ACTIVE)
        async with self._engine.connect() as conn:
            row = (await conn.execute(statement)).first()
        return None if row is None else _details(row._mapping)

    async def search_rendered(
        self, query: ProductSearch, *, render: Render[Page[ProductSummary]]
    ) -> bytes:
        return render(await self.search(query))

    async def details_rendered(
        self, product_id: UUID, *, include_all: bool, render: Render[ProductDetails]
    ) -> RenderedProduct | None:
        found = await self.details(product_id, include_all=include_all)
        return None if found is None else RenderedProduct(body=render(found), version=found.version)

    async def categories(self) -> list[CategoryView]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(categories).order_by(categories.c.name))
        return [view_of(CategoryView, r) for r in rows]

    async def image(
        self, product_id: UUID, image_id: UUID, *, include_all: bool
    ) -> tuple[str, bool] | None:
        statement = (
            select(product_images.c.content_type, products.c.status == ProductStatus.ACTIVE)
            .join(products, products.c.id == product_images.c.product_id)
            .where(product_images.c.id == image_id, products.c.id == product_id)
        )
        if not include_all:
            statement = statement.where(products.c.status == ProductStatus.ACTIVE)
        async with self._engine.connect() as conn:
            row = (await conn.execute(statement)).first()
        return None if row is None else (row[0], bool(row[1]))

    async def export_rows(self) -> AsyncIterator[ProductDetails]:
        async with self._streams.connect() as conn:
            result = await conn.stream(
                select(*STAFF_DETAILS).order_by(products.c.sku).execution_options(yield_per=500)
            )
            async for row in result:
                yield _details(row._mapping)


async def variants_by_sku(conn: AsyncConnection, skus: Iterable[str]) -> dict[str, VariantForSale]:
    """Variants as they are now, by SKU, with their products and categories, on the caller's
    connection: what the catalog offers other contexts (ordering reads its prices inside its own
    transactions with it). One statement for any number of SKUs: the variants joined to their
    products, and each product's category with its ancestors walked up by a recursive CTE."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    rows = await conn.execute(_for_sale(wanted))
    return {r.sku: _for_sale_view(r._mapping) for r in rows}


def _for_sale(skus: list[str]) -> Select[Any]:
    v = catalog_variants
    found = (
        select(
            *(c for c in v.c if c.name not in ("image_ids", "position")),
            products.c.name.label("product_name"),
            products.c.status.label("product_status"),
            products.c.category_id,
            products.c.tax_category,
        )
        .join(products, products.c.id == v.c.product_id)
        .where(v.c.sku.in_(skus))
        .cte("found")
    )
    up = (
        select(
            categories.c.id.label("start"),
            categories.c.id,
            categories.c.parent_id,
            literal(0).label("depth"),
        )
        .where(categories.c.id.in_(select(found.c.category_id)))
        .cte("up", recursive=True)
    )
    up = up.union_all(
        select(up.c.start, categories.c.id, categories.c.parent_id, up.c.depth + 1)
        .join(up, categories.c.id == up.c.parent_id)
        .where(up.c.depth < MAX_CATEGORY_DEPTH)  # a cycle in the data cannot make it endless
    )
    ancestry = (
        select(func.array_agg(aggregate_order_by(up.c.id, up.c.depth)))
        .where(up.c.start == found.c.category_id)
        .scalar_subquery()
    )
    return select(found, ancestry.label("category_ids"))


def _cursor_values(query: ProductSearch) -> tuple[Any, UUID]:
    assert query.cursor is not None
    sort, key, product_id = decode_cursor(query.cursor, length=3)
    if sort != query.sort:
        raise InvalidCursor("the cursor belongs to another sort order")
    # Relevance without search text sorts by newest (see build_search), and so does its key.
    kind = sort if query.text or sort != "relevance" else "newest"
    try:
        return _KEY_PARSERS[kind](key), UUID(product_id)
    except (ValueError, KeyError, InvalidOperation):
        raise InvalidCursor("the cursor is not one this service issued") from None


_KEY_PARSERS: dict[str, Callable[[str], Any]] = {
    "price": cursor_amount,
    "name": str,
    "newest": cursor_instant,
    "relevance": cursor_number,
}


def _key_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value) if isinstance(value, float) else str(value)


def _summary(m: Mapping[Any, Any]) -> ProductSummary:
    return view_of(ProductSummary, m, amount=m["price_amount"], currency=m["price_currency"])


def _details(m: Mapping[Any, Any]) -> ProductDetails:
    return view_of(
        ProductDetails,
        m,
        amount=m["price_amount"],
        currency=m["price_currency"],
        attributes=dict(m["attributes"]),
        image_ids=tuple(m["image_ids"]),
        options=tuple(OptionView.of(o) for o in options_of_json(m["options"])),
        variants=tuple(VariantView.of(variant_of_json(v)) for v in m["variants"]),
    )


def _for_sale_view(m: Mapping[Any, Any]) -> VariantForSale:
    return view_of(
        VariantForSale,
        m,
        variant_id=m["id"],
        options=tuple((name, value) for name, value in m["options"]),
        category_ids=tuple(m["category_ids"] or ()),
    )
