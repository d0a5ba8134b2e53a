"""Product types on the unit of work's connection, and their mapping: the attribute schema is
stored as a JSON list, bounds as decimal strings (JSON numbers would pass through floats)."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.errors import ConcurrencyConflict
from domain.catalog.attribute_schema import AttributeDefinition, AttributeKind
from domain.catalog.errors import ProductTypeNameTaken
from domain.catalog.product_type import ProductType
from infrastructure.catalog.tables import product_types, products
from infrastructure.db.unit_of_work import SeenAggregates

t = product_types.c


class SqlProductTypeRepository:
    """Product types with optimistic concurrency on `version`."""

    def __init__(self, conn: AsyncConnection, seen: SeenAggregates) -> None:
        self._conn = conn
        self._seen = seen

    async def get(self, product_type_id: UUID, *, for_change: bool = False) -> ProductType | None:
        statement = select(product_types).where(t.id == product_type_id)
        statement = statement.with_for_update(read=not for_change)
        row = (await self._conn.execute(statement)).first()
        return None if row is None else self._seen.add(product_type_from_row(row._mapping))

    async def in_use(self, product_type_id: UUID) -> bool:
        used = exists().where(products.c.product_type_id == product_type_id)
        return bool((await self._conn.execute(select(used))).scalar())

    async def add(self, product_type: ProductType) -> None:
        await self._unique_name(insert(product_types).values(product_type_to_row(product_type)))
        self._seen.add(product_type)

    async def save(self, product_type: ProductType) -> None:
        version = product_type.version
        statement = (
            update(product_types)
            .where(t.id == product_type.id, t.version == version)
            .values(product_type_to_row(product_type) | {"version": version + 1})
        )
        if await self._unique_name(statement) != 1:
            raise ConcurrencyConflict(f"product type {product_type.name!r} changed concurrently")
        product_type.version += 1

    async def delete(self, product_type: ProductType) -> None:
        result = await self._conn.execute(
            delete(product_types).where(t.id == product_type.id, t.version == product_type.version)
        )
        if result.rowcount != 1:
            raise ConcurrencyConflict(f"product type {product_type.name!r} changed concurrently")
        self._seen.add(product_type)  # its ProductTypeDeleted reaches the log with the commit

    async def _unique_name(self, statement: Any) -> int:
        try:
            async with self._conn.begin_nested():
                result = await self._conn.execute(statement)
        except IntegrityError as exc:
            if "uq_product_types_name" in str(exc.orig):
                raise ProductTypeNameTaken("another product type has this name") from None
            raise
        return int(result.rowcount)


def product_type_to_row(product_type: ProductType) -> dict[str, Any]:
    return {
        "id": product_type.id,
        "name": product_type.name,
        "attributes": [definition_to_json(d) for d in product_type.attributes],
        "created_at": product_type.created_at,
        "updated_at": product_type.updated_at,
        "version": product_type.version,
    }


def product_type_from_row(row: Mapping[Any, Any]) -> ProductType:
    return ProductType(
        id=row["id"],
        name=row["name"],
        attributes=tuple(definition_from_json(d) for d in row["attributes"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def definition_to_json(definition: AttributeDefinition) -> dict[str, Any]:
    return {
        "code": definition.code,
        "label": definition.label,
        "kind": definition.kind.value,
        "required": definition.required,
        "unit": definition.unit,
        "choices": list(definition.choices),
        "minimum": None if definition.minimum is None else str(definition.minimum),
        "maximum": None if definition.maximum is None else str(definition.maximum),
        "min_length": definition.min_length,
        "max_length": definition.max_length,
    }


def definition_from_json(data: Mapping[str, Any]) -> AttributeDefinition:
    return AttributeDefinition(
        code=data["code"],
        label=data["label"],
        kind=AttributeKind(data["kind"]),
        required=data["required"],
        unit=data["unit"],
        choices=tuple(data["choices"]),
        minimum=None if data["minimum"] is None else Decimal(data["minimum"]),
        maximum=None if data["maximum"] is None else Decimal(data["maximum"]),
        min_length=data["min_length"],
        max_length=data["max_length"],
    )
