"""The variants' options in search (ADR 0031): the option filter (every value in ONE active
variant) on the list and the facet counts, and the options facet counting products by the values
of their active variants, in the same one statement as the other facets."""

import uuid
from datetime import UTC, datetime
from functools import partial
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from application.catalog.facets import FacetRequest, Facets
from application.catalog.views import ProductSearch
from domain.catalog.category import Category
from domain.catalog.product import Product
from domain.catalog.variant import Variant
from domain.shared.money import Money
from domain.shared.sku import Sku
from infrastructure.catalog.facets import SqlFacetCounter
from infrastructure.catalog.readers import SqlCatalogReader
from infrastructure.catalog.unit_of_work import SqlCatalogUnitOfWork
from infrastructure.db.statements import counting_statements
from tests.support.eventlog import REGISTRY

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
EUR = Money.of("19.90", "EUR")


def a_tee(sku: str, category_id: UUID, *others: tuple[str, str, bool]) -> Product:
    """A published T-shirt sold as S/red (its default variant) and the (size, colour, active)
    variants given."""
    product = Product.create(
        id=uuid.uuid4(),
        sku=Sku.parse(sku),
        name="T-shirt",
        description="",
        price=EUR,
        category_id=category_id,
        attributes={},
        now=NOW,
        options=[("size", ["S", "M", "L"]), ("colour", ["red", "blue"])],
    )
    for size, colour, active in others:
        variant = Variant(
            id=uuid.uuid4(),
            sku=Sku.parse(f"{sku}-{size}-{colour}".upper()),
            options=(("size", size), ("colour", colour)),
            prices=(EUR,),
            position=product.next_position,
            active=active,
        )
        product.add_variant(variant, now=NOW)
    product.publish(now=NOW)
    return product


async def shop(engine: AsyncEngine) -> tuple[UUID, UUID, dict[str, UUID]]:
    """Clothing > Tees with three tees, a mug shelf with one more; the ids by SKU."""
    clothing = Category.create(id=uuid.uuid4(), name="Clothing", parent_id=None, now=NOW)
    tees = Category.create(id=uuid.uuid4(), name="Tees", parent_id=clothing.id, now=NOW)
    elsewhere = Category.create(id=uuid.uuid4(), name="Mugs", parent_id=None, now=NOW)
    made = [
        a_tee("TEE-A", tees.id, ("M", "red", True), ("M", "blue", False)),
        a_tee("TEE-B", tees.id, ("M", "blue", True)),
        a_tee("TEE-C", tees.id, ("L", "red", True), ("M", "red", False)),
        a_tee("TEE-D", elsewhere.id, ("M", "red", True)),
    ]
    draft = a_tee("TEE-E", tees.id, ("M", "red", True))
    draft.status = type(draft.status).DRAFT
    async with SqlCatalogUnitOfWork(engine, REGISTRY) as tx:
        for category in (clothing, tees, elsewhere):
            await tx.categories.add(category)
        for product in (*made, draft):
            await tx.products.add(product)
        await tx.commit()
    return clothing.id, tees.id, {p.sku.value: p.id for p in made}


def option_counts(facets: Facets) -> dict[str, list[tuple[str | bool, int]]]:
    assert facets.options is not None
    return {o.name: [(v.value, v.count) for v in o.values] for o in facets.options}


OPTIONS = FacetRequest(names=frozenset({"category", "price", "options"}))


async def test_options_are_counted_over_active_variants_in_the_one_facet_statement(
    engine: AsyncEngine,
) -> None:
    clothing, tees, _ = await shop(engine)
    with counting_statements() as counted:
        facets = await SqlFacetCounter(engine).facets(ProductSearch(category_id=clothing), OPTIONS)
    assert counted.statements == 1
    # A's M/blue and C's M/red are inactive: blue is B's only, M is A's and B's.
    assert option_counts(facets) == {
        "colour": [("red", 3), ("blue", 1)],
        "size": [("S", 3), ("M", 2), ("L", 1)],
    }
    assert facets.categories is not None
    assert facets.price_bands is not None
    # The join that repeats a product per variant and value counts it once elsewhere.
    assert [(c.category_id, c.count) for c in facets.categories] == [(tees, 3)]
    assert sum(b.count for b in facets.price_bands) == 3


async def test_the_option_filter_narrows_the_facets_under_a_category(engine: AsyncEngine) -> None:
    clothing, tees, _ = await shop(engine)
    query = ProductSearch(category_id=clothing, options=(("size", "M"),))
    facets = await SqlFacetCounter(engine).facets(query, OPTIONS)
    assert option_counts(facets) == {
        "colour": [("red", 2), ("blue", 1)],
        "size": [("M", 2), ("S", 2)],
    }
    assert facets.categories is not None
    assert [(c.category_id, c.count) for c in facets.categories] == [(tees, 2)]


async def test_every_value_of_the_filter_is_in_one_active_variant(engine: AsyncEngine) -> None:
    clothing, _, ids = await shop(engine)
    search = partial(_found, SqlCatalogReader(engine), clothing)
    assert await search(("size", "M")) == {ids["TEE-A"], ids["TEE-B"]}
    assert await search(("colour", "red"), ("size", "M")) == {ids["TEE-A"]}
    # A has M and blue, but not in one active variant.
    assert await search(("colour", "blue"), ("size", "M")) == {ids["TEE-B"]}
    assert await search(("size", "XL")) == set()
    # Containment alone would take the pair as a set and find ["colour", "red"].
    assert await search(("red", "colour")) == set()


async def test_keyset_pages_of_an_option_filter_neither_repeat_nor_skip(
    engine: AsyncEngine,
) -> None:
    clothing, _, ids = await shop(engine)
    reader = SqlCatalogReader(engine)
    seen: list[UUID] = []
    cursor: str | None = None
    for _ in range(3):
        page = await reader.search(
            ProductSearch(
                category_id=clothing, options=(("size", "M"),), sort="name", limit=1, cursor=cursor
            )
        )
        seen += [item.id for item in page.items]
        if (cursor := page.next_cursor) is None:
            break
    assert sorted(seen) == sorted([ids["TEE-A"], ids["TEE-B"]])


async def _found(
    reader: SqlCatalogReader, category_id: UUID, *options: tuple[str, str]
) -> set[UUID]:
    page = await reader.search(ProductSearch(category_id=category_id, options=options))
    return {item.id for item in page.items}
