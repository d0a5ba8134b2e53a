"""Handlers of product types: create, change (only compatibly while products use the type) and
delete (only when no product does); and the check of a typed product's attributes."""

import uuid
from collections.abc import Mapping
from uuid import UUID

from application.catalog import commands as c
from application.catalog.deps import CatalogDeps
from application.catalog.ports import CatalogUnitOfWork
from application.catalog.views import ProductTypeView
from application.shared.errors import PreconditionFailed, PreconditionRequired
from domain.catalog.errors import ProductTypeNotFound
from domain.catalog.product_type import ProductType
from domain.catalog.values import Attributes


async def create_product_type(cmd: c.CreateProductType, deps: CatalogDeps) -> ProductTypeView:
    product_type = ProductType.create(
        id=uuid.uuid4(), name=cmd.name, attributes=cmd.attributes, now=deps.clock.now()
    )
    async with deps.uow() as uow:
        await uow.product_types.add(product_type)
        await uow.commit()
    return ProductTypeView.of(product_type)


async def change_product_type(cmd: c.ChangeProductType, deps: CatalogDeps) -> ProductTypeView:
    if cmd.expected_version is None:
        raise PreconditionRequired("send If-Match with the product type's ETag to change it")
    async with deps.uow() as uow:
        product_type = await load_product_type(
            uow, cmd.product_type_id, expected_version=cmd.expected_version, for_change=True
        )
        product_type.change(
            name=cmd.name,
            attributes=cmd.attributes,
            in_use=await uow.product_types.in_use(product_type.id),
            now=deps.clock.now(),
        )
        await uow.product_types.save(product_type)
        await uow.commit()
    return ProductTypeView.of(product_type)


async def delete_product_type(cmd: c.DeleteProductType, deps: CatalogDeps) -> None:
    async with deps.uow() as uow:
        product_type = await load_product_type(
            uow, cmd.product_type_id, expected_version=cmd.expected_version, for_change=True
        )
        product_type.delete(
            in_use=await uow.product_types.in_use(product_type.id), now=deps.clock.now()
        )
        await uow.product_types.delete(product_type)
        await uow.commit()


async def typed_attributes(
    uow: CatalogUnitOfWork,
    deps: CatalogDeps,
    product_type_id: UUID | None,
    attributes: Mapping[str, object],
) -> Mapping[str, object] | Attributes:
    """The attributes as the product's type reads them; untouched for a product without a type
    (the product checks free-form attributes itself)."""
    if product_type_id is None:
        return attributes
    product_type = await load_product_type(uow, product_type_id)
    return deps.attribute_rules.check(product_type, attributes)


async def load_product_type(
    uow: CatalogUnitOfWork,
    product_type_id: UUID,
    *,
    expected_version: int | None = None,
    for_change: bool = False,
) -> ProductType:
    product_type = await uow.product_types.get(product_type_id, for_change=for_change)
    if product_type is None:
        raise ProductTypeNotFound(f"product type {product_type_id} not found")
    if expected_version is not None and expected_version != product_type.version:
        raise PreconditionFailed(
            f"the product type is at version {product_type.version}, not {expected_version}"
        )
    return product_type
