"""A product's variants as rows of `catalog_variants`, and read with their product in the same
statement: one correlated subquery aggregates them into a JSONB array (so a product page, or a
repository load, stays one statement however many variants there are)."""

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import ScalarSelect, func, select, text, type_coerce
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by

from domain.catalog.values import ProductOption
from domain.catalog.variant import Variant
from domain.shared.sku import Sku
from infrastructure.catalog.tables import catalog_variants, money_of_json, products

_v = catalog_variants.alias("v")


def variants_of_product(*, include_inactive: bool) -> ScalarSelect[Any]:
    """The product's variants in order (position, SKU), each as its row's JSON object."""
    rows = func.jsonb_agg(
        aggregate_order_by(func.to_jsonb(_v.table_valued()), _v.c.position, _v.c.sku)
    )
    statement = select(type_coerce(func.coalesce(rows, text("'[]'::jsonb")), JSONB)).where(
        _v.c.product_id == products.c.id
    )
    if not include_inactive:
        statement = statement.where(_v.c.active)
    return statement.scalar_subquery()


def variant_rows(product_id: UUID, variants: tuple[Variant, ...]) -> list[dict[str, Any]]:
    return [
        {
            "id": v.id,
            "product_id": product_id,
            "sku": v.sku.value,
            "options": [list(pair) for pair in v.options],
            "prices": v.prices,
            "weight_grams": v.weight_grams,
            "image_ids": list(v.image_ids),
            "position": v.position,
            "active": v.active,
        }
        for v in variants
    ]


def variant_of_json(m: Mapping[str, Any]) -> Variant:
    """A variant from its row as `to_jsonb` made it."""
    return Variant(
        id=UUID(m["id"]),
        sku=Sku(m["sku"]),
        options=tuple((name, value) for name, value in m["options"]),
        prices=money_of_json(m["prices"]),
        weight_grams=m["weight_grams"],
        image_ids=tuple(UUID(i) for i in m["image_ids"]),
        position=m["position"],
        active=m["active"],
    )


def options_json(options: tuple[ProductOption, ...]) -> list[dict[str, Any]]:
    return [{"name": o.name, "values": list(o.values)} for o in options]


def options_of_json(value: list[dict[str, Any]]) -> tuple[ProductOption, ...]:
    return tuple(ProductOption(name=o["name"], values=tuple(o["values"])) for o in value)
