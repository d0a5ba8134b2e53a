"""Product types against the real parts: the attribute model built with `create_model` for
every kind of attribute, its cache; the type's table mapping; and the facet counts, in the
statements they are allowed."""

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from application.catalog import commands as c
from application.catalog.deps import CatalogDeps
from application.catalog.facets import FacetRequest
from application.catalog.handlers import product, product_type
from application.catalog.views import ProductSearch
from application.shared.errors import ConcurrencyConflict
from domain.catalog.attribute_schema import AttributeDefinition, AttributeKind
from domain.catalog.errors import IncompatibleSchemaChange, InvalidAttributes, ProductTypeNameTaken
from domain.catalog.product import Product
from domain.catalog.product_type import ProductType
from domain.shared.money import Money
from domain.shared.sku import Sku
from infrastructure.catalog.attribute_rules import PydanticAttributeRules
from infrastructure.catalog.facets import SqlFacetCounter
from infrastructure.catalog.unit_of_work import SqlCatalogUnitOfWork
from infrastructure.db.statements import counting_statements
from infrastructure.files.images import LocalImageStore
from tests.support.eventlog import REGISTRY
from tests.support.fakes.shared import FixedClock

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SHIRT = (
    AttributeDefinition(
        code="material",
        label="Material",
        kind=AttributeKind.CHOICE,
        choices=("cotton", "linen", "wool"),
        required=True,
    ),
    AttributeDefinition(
        code="weight",
        label="Weight",
        kind=AttributeKind.NUMBER,
        unit="g",
        minimum=Decimal("50"),
        maximum=Decimal("500.5"),
    ),
    AttributeDefinition(code="organic", label="Organic", kind=AttributeKind.BOOLEAN),
    AttributeDefinition(
        code="fit", label="Fit", kind=AttributeKind.TEXT, min_length=2, max_length=10
    ),
    # A code that names a BaseModel attribute: the model must still have the field.
    AttributeDefinition(code="json", label="Care", kind=AttributeKind.TEXT),
)


def a_type(*attributes: AttributeDefinition, version: int = 0) -> ProductType:
    made = ProductType.create(id=uuid.uuid4(), name="T-shirt", attributes=attributes, now=NOW)
    made.version = version
    return made


def problems(
    rules: PydanticAttributeRules, shirt: ProductType, **attributes: object
) -> dict[str, str]:
    with pytest.raises(InvalidAttributes) as refused:
        rules.check(shirt, attributes)
    return {p.field: p.message for p in refused.value.problems}


# -- the model built from the schema ----------------------------------------------------------


def test_valid_attributes_come_back_as_the_schema_reads_them() -> None:
    rules, shirt = PydanticAttributeRules(), a_type(*SHIRT)
    checked = rules.check(
        shirt,
        {"material": "linen", "weight": 180.0, "organic": False, "fit": " slim ", "json": "40°"},
    )
    # A whole number stays an integer, without its unit (the schema has it); text is trimmed.
    assert checked == {
        "material": "linen",
        "weight": 180,
        "organic": False,
        "fit": "slim",
        "json": "40°",
    }
    assert rules.check(shirt, {"material": "wool", "weight": 500.5}) == {
        "material": "wool",
        "weight": 500.5,
    }


def test_each_kind_refuses_what_does_not_fit_naming_the_attribute() -> None:
    rules, shirt = PydanticAttributeRules(), a_type(*SHIRT)
    found = problems(rules, shirt, material="silk", weight="180", organic=1, fit="x", colour="red")
    assert set(found) == {"material", "weight", "organic", "fit", "colour"}
    assert "cotton" in found["material"]  # the choices are named
    assert found["colour"] == "is not an attribute of this product type"
    assert problems(rules, shirt, weight=180) == {"material": "Field required"}
    assert set(problems(rules, shirt, material="wool", weight=49.9)) == {"weight"}
    assert set(problems(rules, shirt, material="wool", weight=float("inf"))) == {"weight"}
    assert set(problems(rules, shirt, material="wool", fit="x" * 11)) == {"fit"}
    assert set(problems(rules, shirt, material="wool", organic="yes")) == {"organic"}


def test_models_are_built_once_per_type_version_and_a_few_are_kept() -> None:
    rules = PydanticAttributeRules(kept=2)
    shirt = a_type(*SHIRT)
    first = rules.model_for(shirt)
    assert rules.model_for(shirt) is first
    assert rules.built == 1
    shirt.version = 1  # a change of the schema is a new version: a new model
    assert rules.model_for(shirt) is not first
    assert rules.built == 2
    other = a_type(*SHIRT[:1])
    rules.model_for(other)
    shirt.version = 0
    rules.model_for(shirt)  # the oldest was dropped to keep two
    assert rules.built == 4


# -- the table ---------------------------------------------------------------------------------


def deps(engine: AsyncEngine, tmp_path: Path) -> CatalogDeps:
    return CatalogDeps(
        uow=partial(SqlCatalogUnitOfWork, engine, REGISTRY),
        images=LocalImageStore(tmp_path),
        clock=FixedClock(),
        max_image_bytes=1024,
        attribute_rules=PydanticAttributeRules(),
    )


async def test_a_product_type_round_trips_and_changes_only_from_its_version(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    shirt = a_type(*SHIRT)
    uow = SqlCatalogUnitOfWork(engine, REGISTRY)
    async with uow:
        await uow.product_types.add(shirt)
        await uow.commit()
    async with uow:
        loaded = await uow.product_types.get(shirt.id)
        assert loaded is not None
        assert (loaded.name, loaded.attributes, loaded.version) == ("T-shirt", SHIRT, 0)
        assert not await uow.product_types.in_use(shirt.id)
        await uow.product_types.save(loaded)
        stale = a_type(*SHIRT)
        stale.id = shirt.id
        with pytest.raises(ConcurrencyConflict):
            await uow.product_types.save(stale)
    async with uow:
        with pytest.raises(ProductTypeNameTaken):
            await uow.product_types.add(a_type(*SHIRT))


# -- facets ------------------------------------------------------------------------------------


async def shop_of_shirts(engine: AsyncEngine, tmp_path: Path) -> tuple[uuid.UUID, uuid.UUID]:
    catalog = deps(engine, tmp_path)
    made = await product_type.create_product_type(
        c.CreateProductType(name="T-shirt", attributes=SHIRT), catalog
    )
    rows: list[tuple[str, str, dict[str, object]]] = [
        ("9.00", "EUR", {"material": "cotton", "organic": True}),
        ("19.00", "EUR", {"material": "cotton", "organic": False}),
        ("24.99", "EUR", {"material": "linen"}),
        ("60.00", "EUR", {"material": "cotton", "organic": True}),
        ("15.00", "USD", {"material": "wool"}),
    ]
    for amount, currency, attributes in rows:
        created = await product.create_product(
            c.CreateProduct(
                sku=f"TS-{uuid.uuid4().hex[:8]}",
                name="Shirt",
                description="",
                amount=amount,
                currency=currency,
                attributes=attributes,
                product_type_id=made.id,
            ),
            catalog,
        )
        await product.publish_product(c.PublishProduct(product_id=created.id), catalog)
    return made.id, created.id


async def test_facets_count_the_filtered_products_in_two_statements(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    type_id, _ = await shop_of_shirts(engine, tmp_path)
    counter = SqlFacetCounter(engine)
    query = ProductSearch(product_type_id=type_id, min_price=Decimal("10"), limit=1)
    request = FacetRequest(
        names=frozenset({"category", "price", "attributes"}),
        price_bands=(Decimal(10), Decimal(25), Decimal(50)),
    )
    with counting_statements() as counted:
        facets = await counter.facets(query, request)
    assert counted.statements == 2  # the type's schema, then every facet in one statement

    assert facets.categories is not None
    assert facets.price_bands is not None
    assert [(c.category_id, c.count) for c in facets.categories] == [(None, 4)]
    assert [(b.minimum, b.maximum, b.count) for b in facets.price_bands] == [
        (Decimal(0), Decimal(10), 0),
        (Decimal(10), Decimal(25), 2),
        (Decimal(25), Decimal(50), 0),
        (Decimal(50), None, 1),
    ]  # the USD shirt is found by the filter, but is in no EUR band
    assert facets.attributes is not None
    assert {a.code: [(v.value, v.count) for v in a.values] for a in facets.attributes} == {
        "material": [("cotton", 2), ("linen", 1), ("wool", 1)],
        "organic": [(True, 1), (False, 1)],
    }


async def test_facets_without_attributes_are_one_statement(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await shop_of_shirts(engine, tmp_path)
    with counting_statements() as counted:
        facets = await SqlFacetCounter(engine).facets(
            ProductSearch(), FacetRequest(names=frozenset({"price"}), currency="USD")
        )
    assert counted.statements == 1
    assert facets.price_bands is not None
    assert facets.attributes is None
    assert [b.count for b in facets.price_bands] == [0, 1, 0, 0, 0, 0]


async def test_a_schema_change_waits_for_a_product_being_checked_against_the_old_one(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    catalog = deps(engine, tmp_path)
    made = await product_type.create_product_type(
        c.CreateProductType(name="T-shirt", attributes=SHIRT), catalog
    )
    narrower = c.ChangeProductType(
        product_type_id=made.id, expected_version=0, name="T-shirt", attributes=SHIRT[:1]
    )
    checking = SqlCatalogUnitOfWork(engine, REGISTRY)
    async with checking:
        # A product's check reads the type (share-locked), and no product has the type yet.
        shirt = await checking.product_types.get(made.id)
        assert shirt is not None
        change = asyncio.create_task(product_type.change_product_type(narrower, catalog))
        await asyncio.sleep(0.5)  # time for the change to reach the lock, not an assertion
        assert not change.done()  # it waits for the check's transaction
        checked = catalog.attribute_rules.check(shirt, {"material": "wool", "organic": True})
        await checking.products.add(
            Product.create(
                id=uuid.uuid4(),
                sku=Sku.parse(f"TS-{uuid.uuid4().hex[:8]}"),
                name="Shirt",
                description="",
                price=Money.of("10.00", "EUR"),
                category_id=None,
                attributes=checked,
                now=NOW,
                product_type_id=made.id,
            )
        )
        await checking.commit()
    # Now the type is in use, and dropping `organic` would break the product just added.
    with pytest.raises(IncompatibleSchemaChange):
        await change
