"""Variants in PostgreSQL: the Product aggregate round-trips with its options and variants, a SKU
is unique across every product's variants, ordering's lookup is one statement for any number of
SKUs, existing products migrate to one default variant, and a v1 ProductCreated stored in the
log is read as v2."""

import asyncio
import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from uuid import UUID

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.catalog import events as ev
from domain.catalog.category import Category
from domain.catalog.errors import SkuAlreadyUsed
from domain.catalog.product import Product
from domain.catalog.variant import Variant
from domain.shared.money import Money
from domain.shared.sku import Sku
from infrastructure.catalog.readers import variants_by_sku
from infrastructure.catalog.unit_of_work import SqlCatalogUnitOfWork
from infrastructure.db.migrations import alembic_config
from infrastructure.db.statements import counting_statements
from infrastructure.eventlog.store import EventStore
from tests.support.eventlog import REGISTRY

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
EUR, USD = Money.of("19.90", "EUR"), Money.of("21.00", "USD")


def a_tshirt(sku: str = "TEE-S-RED", category_id: UUID | None = None) -> Product:
    return Product.create(
        id=uuid.uuid4(),
        sku=Sku.parse(sku),
        name="T-shirt",
        description="",
        price=EUR,
        category_id=category_id,
        attributes={},
        now=NOW,
        options=[("size", ["S", "M", "L"]), ("colour", ["red", "blue"])],
        tax_category="clothing",
    )


def a_variant(product: Product, sku: str, size: str, colour: str) -> Variant:
    return Variant(
        id=uuid.uuid4(),
        sku=Sku.parse(sku),
        options=(("size", size), ("colour", colour)),
        prices=(EUR, USD),
        weight_grams=180,
        position=product.next_position,
    )


async def test_a_product_round_trips_with_its_options_and_variants(engine: AsyncEngine) -> None:
    uow = partial(SqlCatalogUnitOfWork, engine, REGISTRY)
    product = a_tshirt()
    async with uow() as tx:
        await tx.products.add(product)
        await tx.commit()
    async with uow() as tx:
        loaded = await tx.products.get(product.id)
        assert loaded is not None
        loaded.add_variant(a_variant(loaded, "TEE-M-BLUE", "M", "blue"), now=NOW)
        loaded.add_variant(a_variant(loaded, "TEE-L-RED", "L", "red"), now=NOW)
        loaded.remove_variant(product.variants[0].id, now=NOW)
        await tx.products.save(loaded)
        await tx.commit()
    async with uow() as tx:
        again = await tx.products.get(product.id)
    async with engine.connect() as conn:
        stream = await EventStore(conn, REGISTRY).read_stream(product.stream_id)
    assert again is not None
    assert again.variants == loaded.variants
    assert (again.options, again.tax_category) == (loaded.options, "clothing")
    assert (again.sku, again.price, again.version) == (Sku("TEE-M-BLUE"), EUR, 1)
    assert [e.event_type for e in stream] == [
        "ProductCreated",
        "VariantAdded",
        "VariantAdded",
        "VariantRemoved",
    ]


async def test_a_variant_sku_is_unique_across_every_product(engine: AsyncEngine) -> None:
    uow = partial(SqlCatalogUnitOfWork, engine, REGISTRY)
    first, second = a_tshirt("TEE-A"), a_tshirt("TEE-B")
    async with uow() as tx:
        first.add_variant(a_variant(first, "TEE-SHARED", "M", "red"), now=NOW)
        await tx.products.add(first)
        await tx.products.add(second)
        await tx.commit()
    async with uow() as tx:
        loaded = await tx.products.get(second.id)
        assert loaded is not None
        loaded.add_variant(a_variant(loaded, "TEE-SHARED", "M", "red"), now=NOW)
        with pytest.raises(SkuAlreadyUsed):
            await tx.products.save(loaded)
    with pytest.raises(SkuAlreadyUsed):
        async with uow() as tx:
            await tx.products.add(a_tshirt("TEE-SHARED"))


async def test_variants_by_sku_is_one_statement_with_each_category_and_its_ancestors(
    engine: AsyncEngine,
) -> None:
    uow = partial(SqlCatalogUnitOfWork, engine, REGISTRY)
    clothing = Category.create(id=uuid.uuid4(), name="Clothing", parent_id=None, now=NOW)
    shirts = Category.create(id=uuid.uuid4(), name="Shirts", parent_id=clothing.id, now=NOW)
    tees = Category.create(id=uuid.uuid4(), name="Tees", parent_id=shirts.id, now=NOW)
    product, plain = a_tshirt(category_id=tees.id), a_tshirt("MUG-1")
    product.add_variant(a_variant(product, "TEE-M-BLUE", "M", "blue"), now=NOW)
    product.change_variant(replace(product.variants[1], active=False), now=NOW)
    async with uow() as tx:
        for category in (clothing, shirts, tees):
            await tx.categories.add(category)
        await tx.products.add(product)
        await tx.products.add(plain)
        await tx.commit()
    async with engine.connect() as conn:
        with counting_statements() as counted:
            found = await variants_by_sku(conn, ["TEE-S-RED", "TEE-M-BLUE", "MUG-1", "NONE"])
    assert counted.statements == 1
    assert set(found) == {"TEE-S-RED", "TEE-M-BLUE", "MUG-1"}
    blue = found["TEE-M-BLUE"]
    assert blue.category_ids == (tees.id, shirts.id, clothing.id)
    assert (blue.name, blue.prices, blue.weight_grams) == ("T-shirt (M, blue)", (EUR, USD), 180)
    assert (blue.tax_category, blue.active, blue.for_sale) == ("clothing", False, False)
    assert found["MUG-1"].category_ids == ()


async def test_the_variants_migration_gives_each_existing_product_its_default_variant(
    database_url: str, engine: AsyncEngine
) -> None:
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "a1c0e7d4f2b8")
    product_id = uuid.uuid4()
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO products (id, sku, name, description, price_amount, price_currency,"
                " category_id, attributes, image_ids, status, created_at, updated_at, version)"
                " VALUES (:id, 'MUG-OLD', 'Old mug', '', 12.50, 'EUR', NULL, '{}', '{}',"
                " 'active', now(), now(), 3)"
            ),
            {"id": product_id},
        )
    await engine.dispose()  # the old schema's column types are cached on its connections
    await asyncio.to_thread(command.upgrade, config, "head")
    async with SqlCatalogUnitOfWork(engine, REGISTRY) as tx:
        product = await tx.products.get(product_id)
    assert product is not None
    [default] = product.variants
    assert default == Variant(id=product_id, sku=Sku("MUG-OLD"), prices=(Money.of("12.50", "EUR"),))
    assert (product.tax_category, product.options, product.version) == ("standard", (), 3)
    async with engine.connect() as conn:
        found = await variants_by_sku(conn, ["MUG-OLD"])
    assert found["MUG-OLD"].for_sale
    assert found["MUG-OLD"].prices == (Money.of("12.50", "EUR"),)


async def test_a_v1_product_created_in_the_log_is_read_as_v2(engine: AsyncEngine) -> None:
    product_id = uuid.uuid4()
    v1 = {
        "occurred_at": NOW.isoformat(),
        "product_id": str(product_id),
        "sku": "MUG-1",
        "name": "Mug",
        "amount": "4.50",
        "currency": "EUR",
    }
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO event_log (stream_type, stream_id, stream_version, event_id,"
                " event_type, schema_version, payload, metadata) VALUES ('product', :stream, 1,"
                " :event_id, 'ProductCreated', 1, :payload, '{}')"
            ),
            {
                "stream": f"product-{product_id}",
                "event_id": uuid.uuid4(),
                "payload": json.dumps(v1),
            },
        )
        [stored] = await EventStore(conn, REGISTRY).read_stream(f"product-{product_id}")
    event = REGISTRY.decode(stored)
    assert stored.schema_version == 1
    assert isinstance(event, ev.ProductCreated)
    assert [(v.variant_id, v.sku, v.prices) for v in event.variants] == [
        (
            product_id,
            "MUG-1",
            (ev.PriceData(amount=Money.of("4.50", "EUR").amount, currency="EUR"),),
        )
    ]
