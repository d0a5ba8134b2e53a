"""Product and category repositories (Core, on the unit of work's connection)."""

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from sqlalchemy import Executable, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.errors import ConcurrencyConflict
from domain.catalog.category import Category
from domain.catalog.errors import CategoryNameTaken, SkuAlreadyUsed
from domain.catalog.product import Product
from domain.catalog.values import ProductStatus
from domain.shared.money import Money
from domain.shared.sku import Sku
from infrastructure.catalog.tables import catalog_variants, categories, product_images, products
from infrastructure.catalog.variant_rows import (
    options_json,
    options_of_json,
    variant_of_json,
    variant_rows,
    variants_of_product,
)
from infrastructure.db.unit_of_work import SeenAggregates

# A product is loaded with every variant, in one statement.
_COLUMNS = [
    *(c for c in products.c if c.name != "search"),
    variants_of_product(include_inactive=True).label("variants"),
]
CATEGORY_TREE_LOCK = 0x43415445474F5259  # "CATEGORY": one lock for the whole tree


class SqlProductRepository:
    """Products with optimistic concurrency on `version`."""

    def __init__(self, conn: AsyncConnection, seen: SeenAggregates) -> None:
        self._conn = conn
        self._seen = seen

    async def get(self, product_id: UUID) -> Product | None:
        statement = select(*_COLUMNS).where(products.c.id == product_id)
        row = (await self._conn.execute(statement)).first()
        return None if row is None else self._seen.add(product_from_row(row._mapping))

    async def get_many_by_sku(self, skus: Iterable[Sku]) -> dict[str, Product]:
        """The products that have a variant with one of these SKUs, by each SKU found."""
        values = {s.value for s in skus}
        having = select(catalog_variants.c.product_id).where(catalog_variants.c.sku.in_(values))
        rows = await self._conn.execute(select(*_COLUMNS).where(products.c.id.in_(having)))
        found = [self._seen.add(product_from_row(r._mapping)) for r in rows]
        return {v.sku.value: p for p in found for v in p.variants if v.sku.value in values}

    async def add(self, product: Product) -> None:
        async with self._sku_taken(product):
            await self._conn.execute(insert(products).values(product_to_row(product)))
            await self._conn.execute(
                insert(catalog_variants), variant_rows(product.id, product.variants)
            )
        self._seen.add(product)

    async def save(self, product: Product) -> None:
        """The product's row with the version check, then its variants: those it no longer has
        deleted, the others written over (an upsert by id)."""
        async with self._sku_taken(product):
            result = await self._conn.execute(
                update(products)
                .where(products.c.id == product.id, products.c.version == product.version)
                .values(product_to_row(product) | {"version": product.version + 1})
            )
            if result.rowcount != 1:
                raise ConcurrencyConflict(f"product {product.sku} was changed concurrently")
            await self._save_variants(product)
        product.version += 1

    async def _save_variants(self, product: Product) -> None:
        kept = [v.id for v in product.variants]
        await self._conn.execute(
            delete(catalog_variants).where(
                catalog_variants.c.product_id == product.id, catalog_variants.c.id.not_in(kept)
            )
        )
        statement = upsert(catalog_variants).values(variant_rows(product.id, product.variants))
        written = {c.name: statement.excluded[c.name] for c in catalog_variants.c if c.name != "id"}
        await self._conn.execute(
            statement.on_conflict_do_update(index_elements=["id"], set_=written)
        )

    @asynccontextmanager
    async def _sku_taken(self, product: Product) -> AsyncIterator[None]:
        """Statements in a savepoint; a SKU another product has raises SkuAlreadyUsed."""
        try:
            async with self._conn.begin_nested():
                yield
        except IntegrityError as exc:
            if "uq_products_sku" in str(exc.orig) or "uq_catalog_variants_sku" in str(exc.orig):
                raise SkuAlreadyUsed(f"a SKU of product {product.sku} is already used") from None
            raise

    async def add_many(self, new: list[Product]) -> None:
        if new:
            await self._conn.execute(insert(products), [product_to_row(p) for p in new])
            rows = [row for p in new for row in variant_rows(p.id, p.variants)]
            await self._conn.execute(insert(catalog_variants), rows)
            for product in new:
                self._seen.add(product)

    async def add_image(
        self, product_id: UUID, image_id: UUID, *, content_type: str, size: int
    ) -> None:
        await self._conn.execute(
            insert(product_images).values(
                id=image_id,
                product_id=product_id,
                content_type=content_type,
                size=size,
                created_at=text("now()"),
            )
        )


class SqlCategoryRepository:
    """The category tree; tree changes are serialised by one lock."""

    def __init__(self, conn: AsyncConnection, seen: SeenAggregates) -> None:
        self._conn = conn
        self._seen = seen

    async def get(self, category_id: UUID) -> Category | None:
        statement = select(categories).where(categories.c.id == category_id)
        row = (await self._conn.execute(statement)).first()
        if row is None:
            return None
        category = Category(id=row.id, name=row.name, slug=row.slug, parent_id=row.parent_id)
        return self._seen.add(category)

    async def ancestors(self, category_id: UUID) -> set[UUID]:
        rows = await self._conn.execute(
            text(
                """
                WITH RECURSIVE up AS (
                    SELECT id, parent_id FROM categories WHERE id = :id
                    UNION
                    SELECT c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id
                )
                SELECT id FROM up WHERE id <> :id
                """
            ),
            {"id": category_id},
        )
        return {r.id for r in rows}

    async def lock_tree(self) -> None:
        """Serialise changes to the tree: two concurrent moves could otherwise each pass the
        cycle check against the old tree and together make a cycle."""
        await self._conn.execute(select(func.pg_advisory_xact_lock(CATEGORY_TREE_LOCK)))

    async def add(self, category: Category) -> None:
        await self._unique_name(
            insert(categories).values(
                id=category.id,
                name=category.name,
                slug=category.slug,
                parent_id=category.parent_id,
                created_at=text("now()"),
            )
        )
        self._seen.add(category)

    async def save(self, category: Category) -> None:
        await self._unique_name(
            update(categories)
            .where(categories.c.id == category.id)
            .values(parent_id=category.parent_id)
        )

    async def _unique_name(self, statement: Executable) -> None:
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(statement)
        except IntegrityError as exc:
            if "slug" in str(exc.orig):
                raise CategoryNameTaken("a sibling category already has this name") from None
            raise


def product_to_row(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "sku": product.sku.value,
        "name": product.name,
        "description": product.description,
        "price_amount": product.price.amount,
        "price_currency": product.price.currency,
        "category_id": product.category_id,
        "attributes": product.attributes,
        "image_ids": list(product.image_ids),
        "status": product.status.value,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
        "version": product.version,
        "options": options_json(product.options),
        "tax_category": product.tax_category,
    }


def product_from_row(row: Mapping[Any, Any]) -> Product:
    return Product(
        id=row["id"],
        sku=Sku(row["sku"]),
        name=row["name"],
        description=row["description"],
        price=Money.of(row["price_amount"], row["price_currency"]),
        category_id=row["category_id"],
        attributes=dict(row["attributes"]),
        image_ids=tuple(row["image_ids"]),
        status=ProductStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
        options=options_of_json(row["options"]),
        variants=tuple(variant_of_json(v) for v in row["variants"]),
        tax_category=row["tax_category"],
    )
