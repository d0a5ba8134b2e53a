"""Handlers of tax categories: create, rename, delete."""

from application.shared.versions import check_version
from application.taxes import commands as c
from application.taxes.deps import TaxesDeps
from application.taxes.ports import TaxesUnitOfWork
from application.taxes.views import TaxCategoryView
from domain.taxes.errors import TaxCategoryNotFound
from domain.taxes.tax_category import TaxCategory
from domain.taxes.values import category_code


async def create_tax_category(cmd: c.CreateTaxCategory, deps: TaxesDeps) -> TaxCategoryView:
    category = TaxCategory.create(code=cmd.code, name=cmd.name, now=deps.clock.now())
    async with deps.uow() as uow:
        await uow.categories.add(category)
        await uow.commit()
    return TaxCategoryView.of(category)


async def rename_tax_category(cmd: c.RenameTaxCategory, deps: TaxesDeps) -> TaxCategoryView:
    async with deps.uow() as uow:
        category = await _load(uow, cmd.code, expected_version=cmd.expected_version)
        category.rename(cmd.name, now=deps.clock.now())
        await uow.categories.save(category)
        await uow.commit()
    return TaxCategoryView.of(category)


async def delete_tax_category(cmd: c.DeleteTaxCategory, deps: TaxesDeps) -> None:
    async with deps.uow() as uow:
        category = await _load(uow, cmd.code, expected_version=cmd.expected_version)
        category.delete(now=deps.clock.now())
        await uow.categories.delete(category)
        await uow.commit()


async def _load(uow: TaxesUnitOfWork, code: str, *, expected_version: int | None) -> TaxCategory:
    category = await uow.categories.get(category_code(code))
    if category is None:
        raise TaxCategoryNotFound(f"tax category {code!r} not found")
    check_version(expected_version, category.version, what="tax category")
    return category
