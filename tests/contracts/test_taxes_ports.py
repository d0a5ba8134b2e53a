"""Taxes' unit of work and repositories: the in-memory fakes and the PostgreSQL adapters keep
the same promises (round trips, nothing stored uncommitted, one rate per destination and
category, a category in use stays, a stale save or delete is a conflict)."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared.errors import ConcurrencyConflict
from application.taxes.ports import TaxesUnitOfWorkFactory
from domain.taxes.currency_mode import CurrencyTaxMode
from domain.taxes.errors import TaxCategoryExists, TaxCategoryInUse, TaxRateExists
from domain.taxes.tax_category import TaxCategory
from domain.taxes.tax_rate import TaxRate
from infrastructure.taxes.unit_of_work import SqlTaxesUnitOfWork
from tests.support.eventlog import REGISTRY
from tests.support.fakes.taxes import FakeTaxesUnitOfWork, Store

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(params=["memory", "postgres"])
def new_uow(request: pytest.FixtureRequest) -> TaxesUnitOfWorkFactory:
    if request.param == "memory":
        store = Store()
        return lambda: FakeTaxesUnitOfWork(store)
    engine: AsyncEngine = request.getfixturevalue("engine")
    return lambda: SqlTaxesUnitOfWork(engine, REGISTRY)


def a_rate(region: str | None = None, rate: str = "19") -> TaxRate:
    return TaxRate.create(
        id=uuid.uuid4(),
        country="US",
        region=region,
        tax_category="standard",
        rate=Decimal(rate),
        name="Sales tax",
        now=NOW,
    )


async def with_standard(new_uow: TaxesUnitOfWorkFactory) -> None:
    async with new_uow() as uow:
        await uow.categories.add(TaxCategory.create(code="standard", name="Standard", now=NOW))
        await uow.commit()


def state(aggregate: object) -> dict[str, object]:
    return vars(aggregate) | {"_pending_events": []}


async def test_each_aggregate_round_trips(new_uow: TaxesUnitOfWorkFactory) -> None:
    await with_standard(new_uow)
    tax_rate = a_rate("US-CA", "7.25")
    mode = CurrencyTaxMode.set(currency="USD", prices_include_tax=False, now=NOW)
    async with new_uow() as uow:
        await uow.rates.add(tax_rate)
        await uow.modes.add(mode)
        await uow.commit()

    async with new_uow() as uow:
        loaded_rate = await uow.rates.get(tax_rate.id)
        loaded_mode = await uow.modes.get("USD")
        category = await uow.categories.get("standard")
        assert await uow.rates.get(uuid.uuid4()) is None
    assert state(loaded_rate) == state(tax_rate)
    assert state(loaded_mode) == state(mode)
    assert category is not None
    assert (category.code, category.version) == ("standard", 0)


async def test_nothing_is_stored_without_a_commit(new_uow: TaxesUnitOfWorkFactory) -> None:
    async with new_uow() as uow:
        await uow.categories.add(TaxCategory.create(code="zero", name="Zero", now=NOW))
    async with new_uow() as uow:
        assert await uow.categories.get("zero") is None


async def test_one_rate_per_destination_and_category(new_uow: TaxesUnitOfWorkFactory) -> None:
    await with_standard(new_uow)
    async with new_uow() as uow:
        await uow.rates.add(a_rate())
        await uow.rates.add(a_rate("US-CA"))
        await uow.commit()

    for region in (None, "US-CA"):
        async with new_uow() as uow:
            with pytest.raises(TaxRateExists):
                await uow.rates.add(a_rate(region, "8"))
    async with new_uow() as uow:
        with pytest.raises(TaxCategoryExists):
            await uow.categories.add(TaxCategory.create(code="standard", name="Again", now=NOW))


async def test_a_category_in_use_stays(new_uow: TaxesUnitOfWorkFactory) -> None:
    await with_standard(new_uow)
    async with new_uow() as uow:
        await uow.rates.add(a_rate())
        await uow.commit()
    async with new_uow() as uow:
        category = await uow.categories.get("standard")
        assert category is not None
        with pytest.raises(TaxCategoryInUse):
            await uow.categories.delete(category)


async def test_a_stale_save_or_delete_is_a_conflict(new_uow: TaxesUnitOfWorkFactory) -> None:
    await with_standard(new_uow)
    tax_rate = a_rate()
    async with new_uow() as uow:
        await uow.rates.add(tax_rate)
        await uow.commit()
    async with new_uow() as uow:
        theirs = await uow.rates.get(tax_rate.id)
        assert theirs is not None
        theirs.change(rate=Decimal("20"), name=None, now=NOW)
        await uow.rates.save(theirs)
        await uow.commit()

    tax_rate.change(rate=Decimal("21"), name=None, now=NOW)  # still at version 0
    async with new_uow() as uow:
        with pytest.raises(ConcurrencyConflict):
            await uow.rates.save(tax_rate)
    async with new_uow() as uow:
        with pytest.raises(ConcurrencyConflict):
            await uow.rates.delete(tax_rate)
    async with new_uow() as uow:
        current = await uow.rates.get(tax_rate.id)
        assert current is not None
        assert (current.rate, current.version) == (Decimal("20"), 1)
