"""With 100,000 products, the search and the category-subtree query use the intended indexes.
An assertion on the plan, not on time."""

import json
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from application.catalog.views import ProductSearch
from infrastructure.catalog.readers import build_search
from infrastructure.db.engine import build_engine
from tests.support.databases import fresh_database

ROOT, LEAF = uuid.UUID(int=1), uuid.UUID(int=2)


@pytest.fixture(scope="module")
async def engine(server_url: str, template_database: str) -> AsyncIterator[AsyncEngine]:
    """One database for the module: filling it with 100,000 products once is enough."""
    async with fresh_database(server_url, template_database) as url:
        engine = build_engine(url, pool_size=2)
        yield engine
        await engine.dispose()


@pytest.fixture(scope="module")
async def hundred_thousand_products(engine: AsyncEngine) -> None:
    """One set-based statement per table, its rows made by the server. Each product's category
    comes from a join: a subquery per row scanned the category table 100,000 times, which
    made this the slowest fixture of the run."""
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO categories (id, name, slug, parent_id, created_at) VALUES"
                " (:root, 'Root', 'root', NULL, now()), (:leaf, 'Leaf', 'leaf', :root, now())"
            ),
            {"root": ROOT, "leaf": LEAF},
        )
        # 100 categories under the root, each with 20 children: a tree of 2,100 categories.
        await conn.execute(
            text(
                "INSERT INTO categories (id, name, slug, parent_id, created_at)"
                " SELECT gen_random_uuid(), 'c' || n, 'c' || n, :root, now()"
                " FROM generate_series(1, 100) n"
            ),
            {"root": ROOT},
        )
        await conn.execute(
            text(
                "INSERT INTO categories (id, name, slug, parent_id, created_at)"
                " SELECT gen_random_uuid(), 'c' || n || '-' || m, 'c' || n || '-' || m,"
                "        (SELECT id FROM categories WHERE slug = 'c' || n), now()"
                " FROM generate_series(1, 100) n, generate_series(1, 20) m"
            )
        )
        await conn.execute(
            text(
                """
                INSERT INTO products (id, sku, name, description, price_amount, price_currency,
                                      category_id, attributes, image_ids, status, created_at,
                                      updated_at, version)
                SELECT gen_random_uuid(), 'BULK-' || n,
                       CASE WHEN n % 5000 = 0 THEN 'Rare teapot ' || n
                            ELSE 'Common thing ' || n END,
                       'plain description', (n % 500) + 0.99, 'EUR',
                       CASE WHEN n % 1000 = 0 THEN :leaf ELSE c.id END,
                       jsonb_build_object('color',
                            CASE WHEN n % 2000 = 0 THEN 'violet' ELSE 'grey' END),
                       '{}', 'active', now() - n * interval '1 second', now(), 0
                  FROM generate_series(1, 100000) n
                  JOIN categories c ON c.slug = 'c' || (n % 100 + 1)
                """
            ),
            {"leaf": LEAF},
        )
        await conn.execute(text("ANALYZE products"))
        await conn.execute(text("ANALYZE categories"))


async def plan(engine: AsyncEngine, query: ProductSearch) -> str:
    """EXPLAIN the statement the reader really runs (first page), with its parameters."""
    statement, key, descending = build_search(query)
    order = [key.desc()] if descending else [key]
    async with engine.connect() as conn:
        compiled = statement.order_by(*order).limit(20).compile(dialect=conn.dialect)
        values = [compiled.params[name] for name in compiled.positiontup or []]
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        args = [json.dumps(v) if isinstance(v, dict | list) else v for v in values]
        rows = await driver.fetch(f"EXPLAIN {compiled.string}", *args)
        return "\n".join(r[0] for r in rows)


@pytest.mark.usefixtures("hundred_thousand_products")
async def test_full_text_search_uses_the_gin_index(engine: AsyncEngine) -> None:
    assert "ix_products_search" in await plan(
        engine, ProductSearch(text="teapot", sort="relevance")
    )


@pytest.mark.usefixtures("hundred_thousand_products")
async def test_attribute_containment_uses_the_jsonb_gin_index(engine: AsyncEngine) -> None:
    found = await plan(engine, ProductSearch(attributes={"color": "violet"}, sort="price"))
    assert "ix_products_attributes" in found


@pytest.mark.usefixtures("hundred_thousand_products")
async def test_a_category_subtree_starts_from_an_index_and_never_scans_products(
    engine: AsyncEngine,
) -> None:
    """The tree walk starts from the category's primary key; products come through an index,
    never a scan of the 100,000 rows. (Each level of a 2,100-category tree is one hash join
    over the small category table, which the planner rightly finds cheaper than index probes.)"""
    found = await plan(engine, ProductSearch(category_id=LEAF, sort="price"))
    assert "Recursive Union" in found
    assert "Index Only Scan using pk_categories" in found, found
    assert "Index Scan using ix_products_" in found, found
    assert "Seq Scan on products" not in found, found


@pytest.mark.usefixtures("hundred_thousand_products")
async def test_a_sorted_page_reads_the_partial_sort_index(engine: AsyncEngine) -> None:
    assert "ix_products_active_price" in await plan(engine, ProductSearch(sort="price"))


@pytest.fixture(scope="module")
async def a_variant_each(engine: AsyncEngine, hundred_thousand_products: None) -> None:
    """Every product sold as M/red but the 20 rare teapots, sold in XXL only."""
    async with engine.begin() as conn:
        await conn.execute(
            text(
                """
                INSERT INTO catalog_variants (id, product_id, sku, options, prices, weight_grams,
                                              image_ids, position, active)
                SELECT gen_random_uuid(), id, sku || '-V',
                       jsonb_build_array(
                           jsonb_build_array('size', CASE WHEN name LIKE 'Rare%' THEN 'XXL'
                                                          ELSE 'M' END),
                           jsonb_build_array('colour', 'red')),
                       '[{"amount": "1.00", "currency": "EUR"}]', 0, '{}', 0, true
                  FROM products
                """
            )
        )
        await conn.execute(text("ANALYZE catalog_variants"))


@pytest.mark.usefixtures("a_variant_each")
async def test_a_rare_option_value_is_found_through_the_variants_gin_index(
    engine: AsyncEngine,
) -> None:
    found = await plan(engine, ProductSearch(options=(("size", "XXL"),), sort="price"))
    assert "ix_catalog_variants_options" in found, found
