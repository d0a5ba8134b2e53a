"""Handlers of tax rates: create (for a category that exists), change, delete."""

import uuid
from uuid import UUID

from application.shared.versions import check_version
from application.taxes import commands as c
from application.taxes.deps import TaxesDeps
from application.taxes.ports import TaxesUnitOfWork
from application.taxes.views import TaxRateView
from domain.taxes.errors import TaxRateNotFound, UnknownTaxCategory
from domain.taxes.tax_rate import TaxRate


async def create_tax_rate(cmd: c.CreateTaxRate, deps: TaxesDeps) -> TaxRateView:
    tax_rate = TaxRate.create(
        id=uuid.uuid4(),
        country=cmd.country,
        region=cmd.region,
        tax_category=cmd.tax_category,
        rate=cmd.rate,
        name=cmd.name,
        now=deps.clock.now(),
    )
    async with deps.uow() as uow:
        if await uow.categories.get(tax_rate.tax_category) is None:
            raise UnknownTaxCategory(f"no tax category {tax_rate.tax_category!r}")
        await uow.rates.add(tax_rate)
        await uow.commit()
    return TaxRateView.of(tax_rate)


async def change_tax_rate(cmd: c.ChangeTaxRate, deps: TaxesDeps) -> TaxRateView:
    async with deps.uow() as uow:
        tax_rate = await _load(uow, cmd.tax_rate_id, expected_version=cmd.expected_version)
        tax_rate.change(rate=cmd.rate, name=cmd.name, now=deps.clock.now())
        await uow.rates.save(tax_rate)
        await uow.commit()
    return TaxRateView.of(tax_rate)


async def delete_tax_rate(cmd: c.DeleteTaxRate, deps: TaxesDeps) -> None:
    async with deps.uow() as uow:
        tax_rate = await _load(uow, cmd.tax_rate_id, expected_version=cmd.expected_version)
        tax_rate.delete(now=deps.clock.now())
        await uow.rates.delete(tax_rate)
        await uow.commit()


async def _load(
    uow: TaxesUnitOfWork, tax_rate_id: UUID, *, expected_version: int | None
) -> TaxRate:
    tax_rate = await uow.rates.get(tax_rate_id)
    if tax_rate is None:
        raise TaxRateNotFound(f"tax rate {tax_rate_id} not found")
    check_version(expected_version, tax_rate.version, what="tax rate")
    return tax_rate
