"""Product types: the schema's rules, which changes products already using a type survive, and
the handlers that check a typed product's attributes through the AttributeRules port."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from application.catalog import commands as c
from application.catalog.handlers import product, product_type
from application.shared.errors import PreconditionFailed, PreconditionRequired
from domain.catalog.attribute_schema import (
    AttributeDefinition,
    AttributeKind,
    breaking_changes,
    check_schema,
)
from domain.catalog.errors import (
    IncompatibleSchemaChange,
    InvalidAttributes,
    InvalidProduct,
    InvalidProductType,
    ProductTypeInUse,
    ProductTypeNotFound,
)
from domain.catalog.events import ProductTypeAssigned, ProductTypeCreated, ProductTypeDeleted
from domain.catalog.product_type import ProductType
from tests.support.fakes.catalog import KnownCodesOnly, Store, catalog_deps

NOW = datetime(2026, 1, 1, tzinfo=UTC)
MATERIAL = AttributeDefinition(
    code="material",
    label="Material",
    kind=AttributeKind.CHOICE,
    choices=("cotton", "linen"),
    required=True,
)
WEIGHT = AttributeDefinition(
    code="weight",
    label="Weight",
    kind=AttributeKind.NUMBER,
    unit="g",
    minimum=Decimal(0),
    maximum=Decimal(1000),
)
ORGANIC = AttributeDefinition(code="organic", label="Organic", kind=AttributeKind.BOOLEAN)
SHIRT = (MATERIAL, WEIGHT, ORGANIC)


def with_(definition: AttributeDefinition, **changes: object) -> AttributeDefinition:
    fields = {**definition.__dict__, **changes}
    return AttributeDefinition(**fields)


# -- the schema -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"code": "Weight", "label": "W", "kind": AttributeKind.NUMBER},
        {"code": "weight", "label": "", "kind": AttributeKind.NUMBER},
        {"code": "weight", "label": "W", "kind": AttributeKind.TEXT, "unit": "g"},
        {"code": "weight", "label": "W", "kind": AttributeKind.BOOLEAN, "minimum": Decimal(1)},
        {"code": "size", "label": "S", "kind": AttributeKind.CHOICE},
        {"code": "size", "label": "S", "kind": AttributeKind.CHOICE, "choices": ("m", "m")},
        {"code": "size", "label": "S", "kind": AttributeKind.NUMBER, "choices": ("m",)},
        {
            "code": "weight",
            "label": "W",
            "kind": AttributeKind.NUMBER,
            "minimum": Decimal(5),
            "maximum": Decimal(1),
        },
        {"code": "note", "label": "N", "kind": AttributeKind.TEXT, "max_length": 201},
    ],
)
def test_a_definition_refuses_fields_of_another_kind_and_bounds_out_of_order(
    fields: dict[str, object],
) -> None:
    with pytest.raises(InvalidProductType):
        AttributeDefinition(**fields)  # type: ignore[arg-type]


def test_a_schema_names_each_code_once() -> None:
    with pytest.raises(InvalidProductType, match="weight"):
        check_schema([WEIGHT, with_(WEIGHT, label="Weight again")])
    assert check_schema(SHIRT) == SHIRT


def test_safe_changes_break_nothing() -> None:
    wider = [
        with_(MATERIAL, label="Fabric", choices=("cotton", "linen", "wool")),
        with_(WEIGHT, maximum=Decimal(2000), minimum=None),
        ORGANIC,
        AttributeDefinition(code="fit", label="Fit", kind=AttributeKind.TEXT),
    ]
    assert breaking_changes(SHIRT, wider) == []


def test_changes_that_existing_products_could_fail_are_each_named() -> None:
    narrower = [
        with_(MATERIAL, choices=("cotton",)),
        with_(WEIGHT, unit="kg", minimum=Decimal(10)),
        AttributeDefinition(code="fit", label="Fit", kind=AttributeKind.TEXT, required=True),
    ]
    assert breaking_changes(SHIRT, narrower) == [
        "fit is new and required",
        "material: choices are removed: linen",
        "organic is removed",
        "weight: its lower bound rises",
        "weight: its unit changes from g to kg",
    ]
    retyped = [MATERIAL, WEIGHT, with_(ORGANIC, kind=AttributeKind.TEXT, required=True)]
    assert breaking_changes(SHIRT, retyped) == ["organic: its kind changes from boolean to text"]


def test_a_type_in_use_refuses_a_breaking_change_and_accepts_a_safe_one() -> None:
    shirt = ProductType.create(id=uuid.uuid4(), name=" T-shirt ", attributes=SHIRT, now=NOW)
    assert shirt.name == "T-shirt"
    assert isinstance(shirt.collect_events()[0], ProductTypeCreated)
    with pytest.raises(IncompatibleSchemaChange, match="organic is removed"):
        shirt.change(name="T-shirt", attributes=SHIRT[:2], in_use=True, now=NOW)
    shirt.change(name="T-shirt", attributes=SHIRT[:2], in_use=False, now=NOW)
    assert shirt.codes == ("material", "weight")


def test_a_type_in_use_cannot_be_deleted() -> None:
    shirt = ProductType.create(id=uuid.uuid4(), name="T-shirt", attributes=SHIRT, now=NOW)
    with pytest.raises(ProductTypeInUse):
        shirt.delete(in_use=True, now=NOW)
    shirt.delete(in_use=False, now=NOW)
    assert isinstance(shirt.collect_events()[-1], ProductTypeDeleted)


# -- the handlers, with the fake rules --------------------------------------------------------


async def a_shirt_type(store: Store) -> uuid.UUID:
    created = await product_type.create_product_type(
        c.CreateProductType(name="T-shirt", attributes=SHIRT), catalog_deps(store)
    )
    return created.id


def new_shirt(type_id: uuid.UUID | None, **attributes: object) -> c.CreateProduct:
    return c.CreateProduct(
        sku=f"TS-{uuid.uuid4().hex[:8]}",
        name="Shirt",
        description="",
        amount="20.00",
        currency="EUR",
        attributes=attributes,
        product_type_id=type_id,
    )


async def test_a_typed_product_is_checked_by_its_types_rules() -> None:
    store, rules = Store(), KnownCodesOnly()
    type_id = await a_shirt_type(store)
    made = await product.create_product(
        new_shirt(type_id, material="cotton", weight=180.5), catalog_deps(store, rules)
    )
    assert made.product_type_id == type_id
    assert made.attributes == {"material": "cotton", "weight": 180.5}
    assert [e.product_type_id for e in store.events() if isinstance(e, ProductTypeAssigned)] == [
        type_id
    ]
    assert rules.checked == [(type_id, {"material": "cotton", "weight": 180.5})]
    with pytest.raises(InvalidAttributes) as refused:
        await product.create_product(new_shirt(type_id, colour="red"), catalog_deps(store, rules))
    assert [p.field for p in refused.value.problems] == ["colour"]


async def test_an_untyped_product_keeps_free_form_attributes_without_fractions() -> None:
    store, rules = Store(), KnownCodesOnly()
    made = await product.create_product(new_shirt(None, colour="red"), catalog_deps(store, rules))
    assert made.attributes == {"colour": "red"}
    assert rules.checked == []
    with pytest.raises(InvalidProduct):
        await product.create_product(new_shirt(None, weight=180.5), catalog_deps(store, rules))


async def test_a_product_given_a_type_later_is_checked_against_it() -> None:
    store, rules = Store(), KnownCodesOnly()
    type_id = await a_shirt_type(store)
    made = await product.create_product(new_shirt(None, colour="red"), catalog_deps(store))
    change = c.ChangeProductDetails(product_id=made.id, expected_version=0, product_type_id=type_id)
    with pytest.raises(InvalidAttributes):
        await product.change_product_details(change, catalog_deps(store, rules))
    changed = await product.change_product_details(
        c.ChangeProductDetails(
            product_id=made.id,
            expected_version=0,
            product_type_id=type_id,
            attributes={"material": "linen"},
        ),
        catalog_deps(store, rules),
    )
    assert changed.product_type_id == type_id
    assert any(isinstance(e, ProductTypeAssigned) for e in store.events())


async def test_an_unknown_type_is_not_found() -> None:
    with pytest.raises(ProductTypeNotFound):
        await product.create_product(new_shirt(uuid.uuid4()), catalog_deps(Store()))


async def test_changing_a_type_needs_its_current_version_and_spares_its_products() -> None:
    store = Store()
    type_id = await a_shirt_type(store)
    await product.create_product(new_shirt(type_id, material="cotton"), catalog_deps(store))

    def change(version: int | None, *attributes: AttributeDefinition) -> c.ChangeProductType:
        return c.ChangeProductType(
            product_type_id=type_id, expected_version=version, name="T-shirt", attributes=attributes
        )

    with pytest.raises(PreconditionRequired):
        await product_type.change_product_type(change(None, *SHIRT), catalog_deps(store))
    with pytest.raises(PreconditionFailed):
        await product_type.change_product_type(change(7, *SHIRT), catalog_deps(store))
    with pytest.raises(IncompatibleSchemaChange):
        await product_type.change_product_type(change(0, MATERIAL), catalog_deps(store))
    changed = await product_type.change_product_type(
        change(0, *SHIRT, with_(ORGANIC, code="fit", label="Fit")), catalog_deps(store)
    )
    assert changed.version == 1
    with pytest.raises(ProductTypeInUse):
        await product_type.delete_product_type(
            c.DeleteProductType(product_type_id=type_id), catalog_deps(store)
        )
