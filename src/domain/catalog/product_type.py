"""The ProductType aggregate (state-stored, optimistic `version`): a kind of product and the
attribute schema its products' attributes are checked against."""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from domain.catalog import events as ev
from domain.catalog.attribute_schema import AttributeDefinition, breaking_changes, check_schema
from domain.catalog.errors import IncompatibleSchemaChange, InvalidProductType, ProductTypeInUse
from domain.shared.aggregate import AggregateRoot
from domain.shared.text import text_fault

MAX_TYPE_NAME = 100


class ProductType(AggregateRoot):
    """A kind of product ("T-shirt"): the attributes its products have, typed and bounded."""

    stream_type = "product_type"

    def __init__(
        self,
        *,
        id: UUID,
        name: str,
        attributes: tuple[AttributeDefinition, ...],
        created_at: datetime,
        updated_at: datetime,
        version: int,
    ) -> None:
        super().__init__()
        self.id, self.name, self.attributes = id, name, attributes
        self.created_at, self.updated_at, self.version = created_at, updated_at, version

    # -- creation -------------------------------------------------------------------------

    @classmethod
    def create(
        cls, *, id: UUID, name: str, attributes: Iterable[AttributeDefinition], now: datetime
    ) -> "ProductType":
        product_type = cls(
            id=id,
            name=_name(name),
            attributes=check_schema(attributes),
            created_at=now,
            updated_at=now,
            version=0,
        )
        product_type._record(
            ev.ProductTypeCreated(
                occurred_at=now,
                product_type_id=id,
                name=product_type.name,
                attribute_codes=product_type.codes,
            )
        )
        return product_type

    # -- commands -------------------------------------------------------------------------

    def change(
        self,
        *,
        name: str,
        attributes: Iterable[AttributeDefinition],
        in_use: bool,
        now: datetime,
    ) -> None:
        """A new name and schema. While products use the type, only changes they all still
        satisfy are allowed (ADR 0031): the products are never re-checked one by one."""
        schema = check_schema(attributes)
        if in_use and (reasons := breaking_changes(self.attributes, schema)):
            raise IncompatibleSchemaChange(
                f"products use this type, and the change would break them: {'; '.join(reasons)}"
            )
        self.name, self.attributes, self.updated_at = _name(name), schema, now
        self._record(
            ev.ProductTypeChanged(
                occurred_at=now, product_type_id=self.id, name=self.name, attribute_codes=self.codes
            )
        )

    def delete(self, *, in_use: bool, now: datetime) -> None:
        """Only a type no product has, archived ones included, can go."""
        if in_use:
            raise ProductTypeInUse(f"products have the type {self.name!r}")
        self._record(ev.ProductTypeDeleted(occurred_at=now, product_type_id=self.id))

    # -- queries --------------------------------------------------------------------------

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.attributes)

    @property
    def stream_id(self) -> str:
        return f"product_type-{self.id}"


def _name(name: str) -> str:
    name = name.strip()
    if fault := text_fault(name):
        raise InvalidProductType(f"a product type's name {fault}")
    if not 1 <= len(name) <= MAX_TYPE_NAME:
        raise InvalidProductType(f"a product type's name has 1 to {MAX_TYPE_NAME} characters")
    return name
