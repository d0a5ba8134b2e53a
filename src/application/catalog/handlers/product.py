"""Handlers of products, bulk import included: each opens a unit of work, changes products
through their methods and commits; their events reach the log with it."""

import uuid
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from application.catalog import commands as c
from application.catalog.deps import CatalogDeps
from application.catalog.handlers.category import category_exists
from application.catalog.ports import CatalogUnitOfWork
from application.catalog.views import (
    ImportReport,
    ProductDetails,
    ProductRow,
    RejectedRow,
    parse_row,
)
from application.shared.errors import PreconditionFailed, PreconditionRequired
from domain.catalog.errors import CategoryNotFound, ProductNotFound, SkuAlreadyUsed
from domain.catalog.product import Product
from domain.catalog.values import check_image
from domain.shared.errors import DomainError
from domain.shared.money import Money
from domain.shared.sku import Sku


async def create_product(cmd: c.CreateProduct, deps: CatalogDeps) -> ProductDetails:
    now = deps.clock.now()
    async with deps.uow() as uow:
        await category_exists(uow, cmd.category_id)
        product = Product.create(
            id=uuid.uuid4(),
            sku=Sku.parse(cmd.sku),
            name=cmd.name,
            description=cmd.description,
            price=Money.of(cmd.amount, cmd.currency),
            category_id=cmd.category_id,
            attributes=cmd.attributes,
            now=now,
            options=cmd.options,
            tax_category=cmd.tax_category,
        )
        await uow.products.add(product)
        await uow.commit()
    return ProductDetails.of(product)


async def change_product_details(cmd: c.ChangeProductDetails, deps: CatalogDeps) -> ProductDetails:
    if cmd.expected_version is None:
        raise PreconditionRequired("send If-Match with the product's ETag to change it")
    async with deps.uow() as uow:
        product = await load_product(uow, cmd.product_id, expected_version=cmd.expected_version)
        category_id = None if cmd.clear_category else (cmd.category_id or product.category_id)
        await category_exists(uow, category_id)
        product.change_details(
            name=product.name if cmd.name is None else cmd.name,
            description=product.description if cmd.description is None else cmd.description,
            category_id=category_id,
            attributes=product.attributes if cmd.attributes is None else cmd.attributes,
            now=deps.clock.now(),
            tax_category=cmd.tax_category,
        )
        await uow.products.save(product)
        await uow.commit()
    return ProductDetails.of(product)


async def change_price(cmd: c.ChangePrice, deps: CatalogDeps) -> ProductDetails:
    if cmd.expected_version is None:
        raise PreconditionRequired("send If-Match with the product's ETag to change its price")
    price = Money.of(cmd.amount, cmd.currency)
    return await change_product(
        cmd.product_id,
        lambda p, now: p.change_price(price, now=now),
        deps=deps,
        expected_version=cmd.expected_version,
    )


async def publish_product(cmd: c.PublishProduct, deps: CatalogDeps) -> ProductDetails:
    return await change_product(cmd.product_id, lambda p, now: p.publish(now=now), deps=deps)


async def archive_product(cmd: c.ArchiveProduct, deps: CatalogDeps) -> ProductDetails:
    return await change_product(cmd.product_id, lambda p, now: p.archive(now=now), deps=deps)


async def change_product(
    product_id: UUID,
    change: Callable[[Product, datetime], None],
    *,
    deps: CatalogDeps,
    expected_version: int | None = None,
) -> ProductDetails:
    """Load, apply one domain command, save with the version check, commit."""
    async with deps.uow() as uow:
        product = await load_product(uow, product_id, expected_version=expected_version)
        change(product, deps.clock.now())
        await uow.products.save(product)
        await uow.commit()
    return ProductDetails.of(product)


async def add_product_image(cmd: c.AddProductImage, deps: CatalogDeps) -> UUID:
    content_type = check_image(cmd.data, declared=cmd.content_type, max_bytes=deps.max_image_bytes)
    image_id = uuid.uuid4()
    async with deps.uow() as uow:
        product = await load_product(uow, cmd.product_id)
        product.add_image(image_id, content_type=content_type, now=deps.clock.now())
        # The file first: if the transaction then fails, an unreferenced file is harmless.
        await deps.images.put(image_id, cmd.data)
        await uow.products.add_image(
            product.id, image_id, content_type=content_type, size=len(cmd.data)
        )
        await uow.products.save(product)
        await uow.commit()
    return image_id


IMPORT_BATCH = 500


async def import_products(cmd: c.ImportProducts, deps: CatalogDeps) -> ImportReport:
    """Every valid row or none (one transaction), written in batches; invalid rows are reported
    with their line and reason and do not stop the others."""
    created = updated = 0
    rejected: list[RejectedRow] = []
    now = deps.clock.now()
    async with deps.uow() as uow:
        known: dict[UUID, bool] = {}

        async def check_category(category_id: UUID | None) -> None:
            if category_id is not None and category_id not in known:
                known[category_id] = await uow.categories.get(category_id) is not None
            if category_id is not None and not known[category_id]:
                raise CategoryNotFound(f"category {category_id} not found")

        for start in range(0, len(cmd.rows), IMPORT_BATCH):
            batch = cmd.rows[start : start + IMPORT_BATCH]
            parsed = []
            for line, row in batch:
                try:
                    parsed.append((line, parse_row(row)))
                except DomainError as exc:
                    rejected.append(RejectedRow(line, exc.detail))
            existing = await uow.products.get_many_by_sku(p.sku for _, p in parsed)
            new: dict[str, Product] = {}
            changed: dict[str, Product] = {}
            for line, fields in parsed:
                sku = fields.sku.value
                try:
                    await check_category(fields.category_id)
                    if sku in existing:
                        _update(existing[sku], fields, now)
                        changed[sku] = existing[sku]
                    elif sku in new:
                        _update(new[sku], fields, now)  # the file names this SKU twice
                    else:
                        new[sku] = _create(fields, now)
                except DomainError as exc:
                    rejected.append(RejectedRow(line, exc.detail))
            await uow.products.add_many(list(new.values()))
            for product in changed.values():
                await uow.products.save(product)
            created, updated = created + len(new), updated + len(changed)
        await uow.commit()
    return ImportReport(created=created, updated=updated, rejected=sorted(rejected))


async def load_product(
    uow: CatalogUnitOfWork, product_id: UUID, *, expected_version: int | None = None
) -> Product:
    product = await uow.products.get(product_id)
    if product is None:
        raise ProductNotFound(f"product {product_id} not found")
    if expected_version is not None and expected_version != product.version:
        raise PreconditionFailed(
            f"the product is at version {product.version}, not {expected_version}"
        )
    return product


def _create(fields: ProductRow, now: datetime) -> Product:
    return Product.create(
        id=uuid.uuid4(),
        sku=fields.sku,
        name=fields.name,
        description=fields.description,
        price=fields.price,
        category_id=fields.category_id,
        attributes=fields.attributes,
        now=now,
    )


def _update(product: Product, fields: ProductRow, now: datetime) -> None:
    """A row names a product by its default variant's SKU; another variant's is refused."""
    if product.sku != fields.sku:
        raise SkuAlreadyUsed(f"SKU {fields.sku} is a variant of product {product.sku}")
    product.change_details(
        name=fields.name,
        description=fields.description,
        category_id=fields.category_id,
        attributes=fields.attributes,
        now=now,
    )
    product.change_price(fields.price, now=now)
