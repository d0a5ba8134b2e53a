"""Shipping's unit of work and repository: the in-memory fake and the PostgreSQL adapter keep
the same promises (a method and its tariffs round-trip, replaced tariffs stay replaced, codes
are unique, a stale save or delete is a conflict)."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared.errors import ConcurrencyConflict
from application.shipping.ports import ShippingUnitOfWorkFactory
from domain.shipping.errors import ShippingMethodCodeTaken
from domain.shipping.shipping_method import ShippingMethod
from domain.shipping.values import Basis, MethodKind, TariffInput
from infrastructure.shipping.unit_of_work import SqlShippingUnitOfWork
from tests.support.eventlog import REGISTRY
from tests.support.fakes.shipping import FakeShippingUnitOfWork, Store

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(params=["memory", "postgres"])
def new_uow(request: pytest.FixtureRequest) -> ShippingUnitOfWorkFactory:
    if request.param == "memory":
        store = Store()
        return lambda: FakeShippingUnitOfWork(store)
    engine: AsyncEngine = request.getfixturevalue("engine")
    return lambda: SqlShippingUnitOfWork(engine, REGISTRY)


def tariff(currency: str, *bands: tuple[str, str], free_above: str | None = None) -> TariffInput:
    return TariffInput(
        currency=currency,
        bands=tuple((Decimal(a), Decimal(b)) for a, b in bands),
        free_above=None if free_above is None else Decimal(free_above),
    )


def a_method(code: str = "standard") -> ShippingMethod:
    return ShippingMethod.create(
        id=uuid.uuid4(),
        code=code,
        name="Standard parcel",
        kind=MethodKind.STANDARD,
        basis=Basis.WEIGHT,
        countries=("DE", "AT"),
        tariffs=(
            tariff("EUR", ("0", "4.90"), ("2000", "6.90"), free_above="50"),
            tariff("JPY", ("0", "800")),
        ),
        tax_category="standard",
        max_weight_grams=30_000,
        active=True,
        now=NOW,
    )


def state(method: object) -> dict[str, object]:
    return vars(method) | {"_pending_events": []}


async def add(new_uow: ShippingUnitOfWorkFactory, method: ShippingMethod) -> None:
    async with new_uow() as uow:
        await uow.methods.add(method)
        await uow.commit()


async def test_a_method_and_its_tariffs_round_trip(new_uow: ShippingUnitOfWorkFactory) -> None:
    method = a_method()
    await add(new_uow, method)

    async with new_uow() as uow:
        loaded = await uow.methods.get(method.id)
        assert await uow.methods.get(uuid.uuid4()) is None
    assert state(loaded) == state(method)


async def test_saved_tariffs_replace_the_old_ones(new_uow: ShippingUnitOfWorkFactory) -> None:
    method = a_method()
    await add(new_uow, method)
    async with new_uow() as uow:
        loaded = await uow.methods.get(method.id)
        assert loaded is not None
        loaded.change(now=NOW, tariffs=(tariff("GBP", ("0", "3.50")),), active=False)
        await uow.methods.save(loaded)
        await uow.commit()

    async with new_uow() as uow:
        reloaded = await uow.methods.get(method.id)
    assert reloaded is not None
    assert (list(reloaded.tariffs), reloaded.active, reloaded.version) == (["GBP"], False, 1)


async def test_codes_are_unique(new_uow: ShippingUnitOfWorkFactory) -> None:
    await add(new_uow, a_method())
    with pytest.raises(ShippingMethodCodeTaken):
        await add(new_uow, a_method())


async def test_a_stale_save_or_delete_is_a_conflict(new_uow: ShippingUnitOfWorkFactory) -> None:
    method = a_method()
    await add(new_uow, method)
    async with new_uow() as uow:
        theirs = await uow.methods.get(method.id)
        assert theirs is not None
        theirs.change(now=NOW, name="Parcel")
        await uow.methods.save(theirs)
        await uow.commit()

    method.change(now=NOW, name="Letter")  # still at version 0
    async with new_uow() as uow:
        with pytest.raises(ConcurrencyConflict):
            await uow.methods.save(method)
    async with new_uow() as uow:
        with pytest.raises(ConcurrencyConflict):
            await uow.methods.delete(method)
