"""Inventory on real PostgreSQL: stock is never oversold, every movement is in the ledger."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.contexts import inventory
from application.inventory.commands import (
    AdjustStock,
    CommitReservations,
    ExpireReservations,
    ReceiveStock,
    ReleaseReservations,
    ReserveStock,
)
from application.inventory.deps import InventoryDeps
from application.inventory.handlers import stock as handlers
from application.shared.bus import CommandBus
from application.shared.errors import ConcurrencyConflict
from domain.inventory.errors import (
    AdjustmentBelowReserved,
    InsufficientStock,
    ReservationExpired,
    UnknownSku,
)
from domain.inventory.stock import Reservation, StockItem
from domain.inventory.values import LocationLevel, StockLevel
from domain.shared.sku import Sku
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.tables import event_log
from infrastructure.inventory.readers import SqlStockReader
from infrastructure.inventory.subscribers import OrderStockSettler
from infrastructure.inventory.tables import stock_ledger, stock_reservations
from infrastructure.inventory.unit_of_work import SqlInventoryUnitOfWork
from tests.support.eventlog import REGISTRY
from tests.support.fakes.shared import FixedClock

HOLD = timedelta(minutes=15)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def deps(engine: AsyncEngine, clock: FixedClock) -> InventoryDeps:
    return InventoryDeps(uow=partial(SqlInventoryUnitOfWork, engine, REGISTRY), clock=clock)


def a_sku() -> str:
    return f"T-{uuid.uuid4().hex[:10]}".upper()


async def stocked(deps: InventoryDeps, quantity: int) -> str:
    sku = a_sku()
    await handlers.receive_stock(ReceiveStock(sku=sku, quantity=quantity, actor_id=None), deps=deps)
    return sku


async def level(engine: AsyncEngine, sku: str) -> StockLevel:
    found = await SqlStockReader(engine).level(Sku.parse(sku))
    assert found is not None
    return found


async def ledger_sums(engine: AsyncEngine, sku: str) -> tuple[int, int]:
    query = select(
        func.coalesce(func.sum(stock_ledger.c.on_hand_delta), 0),
        func.coalesce(func.sum(stock_ledger.c.reserved_delta), 0),
    ).where(stock_ledger.c.sku == sku)
    async with engine.connect() as conn:
        on_hand, reserved = (await conn.execute(query)).one()
    return int(on_hand), int(reserved)


async def reserve(
    deps: InventoryDeps, order_id: uuid.UUID, *lines: tuple[str, int]
) -> list[Reservation]:
    return await handlers.reserve_stock(
        ReserveStock(order_id=order_id, lines=tuple(lines), hold_for=HOLD), deps=deps
    )


async def test_fifty_concurrent_reservations_for_ten_units_give_exactly_ten(
    engine: AsyncEngine, deps: InventoryDeps
) -> None:
    sku = await stocked(deps, 10)

    results = await asyncio.gather(
        *(reserve(deps, uuid.uuid4(), (sku, 1)) for _ in range(50)), return_exceptions=True
    )

    assert sum(isinstance(r, list) for r in results) == 10
    assert all(isinstance(r, InsufficientStock) for r in results if not isinstance(r, list))
    now = await level(engine, sku)
    assert (now.on_hand, now.reserved, now.available) == (10, 10, 0)
    assert await ledger_sums(engine, sku) == (now.on_hand, now.reserved)


async def test_a_reservation_is_all_lines_or_none(engine: AsyncEngine, deps: InventoryDeps) -> None:
    plenty, scarce = await stocked(deps, 5), await stocked(deps, 1)
    order = uuid.uuid4()
    with pytest.raises(InsufficientStock) as refused:
        await reserve(deps, order, (plenty, 2), (scarce, 2))
    assert (refused.value.sku, refused.value.available) == (scarce, 1)

    assert (await level(engine, plenty)).reserved == 0
    async with engine.connect() as conn:
        held = await conn.execute(
            select(func.count()).where(stock_reservations.c.order_id == order)
        )
        assert held.scalar_one() == 0
    assert await ledger_sums(engine, plenty) == (5, 0)


async def test_reserving_again_for_the_same_order_changes_nothing(
    engine: AsyncEngine, deps: InventoryDeps
) -> None:
    sku = await stocked(deps, 5)
    order = uuid.uuid4()
    first = await reserve(deps, order, (sku, 2))
    again = await reserve(deps, order, (sku, 2))
    assert again == first
    assert (await level(engine, sku)).reserved == 2


async def test_release_returns_units_and_commit_ships_them_each_once(
    engine: AsyncEngine, deps: InventoryDeps
) -> None:
    sku = await stocked(deps, 10)
    kept, dropped = uuid.uuid4(), uuid.uuid4()
    await reserve(deps, kept, (sku, 3))
    await reserve(deps, dropped, (sku, 4))

    for _ in range(2):  # the second round finds nothing held: idempotent
        await handlers.commit_reservations(CommitReservations(order_id=kept), deps=deps)
        await handlers.release_reservations(ReleaseReservations(order_id=dropped), deps=deps)

    now = await level(engine, sku)
    assert (now.on_hand, now.reserved, now.available) == (7, 0, 7)
    assert await ledger_sums(engine, sku) == (7, 0)


async def test_expired_reservations_are_released_once_by_concurrent_sweeps(
    engine: AsyncEngine, deps: InventoryDeps, clock: FixedClock
) -> None:
    sku = await stocked(deps, 20)
    for _ in range(12):
        await reserve(deps, uuid.uuid4(), (sku, 1))
    clock.advance(HOLD + timedelta(seconds=1))

    counts = await asyncio.gather(
        *(handlers.expire_reservations(ExpireReservations(batch=5), deps=deps) for _ in range(6))
    )
    while await handlers.expire_reservations(ExpireReservations(batch=5), deps=deps):
        pass

    assert sum(counts) <= 12
    now = await level(engine, sku)
    assert (now.on_hand, now.reserved) == (20, 0)
    assert await ledger_sums(engine, sku) == (20, 0)


async def test_an_adjustment_cannot_undercut_reservations(
    engine: AsyncEngine, deps: InventoryDeps
) -> None:
    sku = await stocked(deps, 5)
    await reserve(deps, uuid.uuid4(), (sku, 4))
    with pytest.raises(AdjustmentBelowReserved):
        await handlers.adjust_stock(
            AdjustStock(sku=sku, delta=-2, reason="count correction", actor_id=None), deps=deps
        )
    adjusted = await handlers.adjust_stock(
        AdjustStock(sku=sku, delta=-1, reason="one broken", actor_id=None), deps=deps
    )
    assert (adjusted.on_hand, adjusted.available) == (4, 0)
    with pytest.raises(UnknownSku):
        await handlers.adjust_stock(
            AdjustStock(sku=a_sku(), delta=1, reason="found one", actor_id=None), deps=deps
        )


async def test_the_ledger_is_append_only(engine: AsyncEngine, deps: InventoryDeps) -> None:
    sku = await stocked(deps, 1)
    for statement in ("UPDATE stock_ledger SET on_hand_delta = 99", "DELETE FROM stock_ledger"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(f"{statement} WHERE sku = :sku"), {"sku": sku})
    assert await ledger_sums(engine, sku) == (1, 0)


async def test_every_movement_is_an_event_on_the_skus_stream(
    engine: AsyncEngine, deps: InventoryDeps
) -> None:
    sku = await stocked(deps, 3)
    order = uuid.uuid4()
    await reserve(deps, order, (sku, 2))
    await handlers.commit_reservations(CommitReservations(order_id=order), deps=deps)
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(event_log.c.event_type)
            .where(event_log.c.stream_id == f"stock-{sku}")
            .order_by(event_log.c.stream_version)
        )
        assert [r.event_type for r in rows] == ["StockReceived", "StockReserved", "StockCommitted"]


async def test_replaying_a_reservation_after_its_release_reserves_nothing(
    engine: AsyncEngine, deps: InventoryDeps
) -> None:
    sku = await stocked(deps, 5)
    order = uuid.uuid4()
    await reserve(deps, order, (sku, 2))
    await handlers.release_reservations(ReleaseReservations(order_id=order), deps=deps)
    replay = await reserve(deps, order, (sku, 2))
    assert [r.status for r in replay] == ["released"]
    assert (await level(engine, sku)).reserved == 0


async def test_committing_an_expired_reservation_is_refused(
    engine: AsyncEngine, deps: InventoryDeps, clock: FixedClock
) -> None:
    sku = await stocked(deps, 5)
    order = uuid.uuid4()
    await reserve(deps, order, (sku, 2))
    clock.advance(HOLD + timedelta(seconds=1))
    await handlers.expire_reservations(ExpireReservations(), deps=deps)
    with pytest.raises(ReservationExpired):
        await handlers.commit_reservations(CommitReservations(order_id=order), deps=deps)
    assert (await level(engine, sku)).on_hand == 5


def published(event_type: str, order_id: uuid.UUID, **payload: object) -> StoredEvent:
    """An ordering event as inventory reads it from the log: its name and its payload."""
    return StoredEvent(
        position=0,
        transaction_id=0,
        stream_type="order",
        stream_id=f"order-{order_id}",
        stream_version=1,
        event_id=uuid.uuid4(),
        event_type=event_type,
        schema_version=1,
        payload={"order_id": str(order_id), **payload},
        metadata={},
        recorded_at=datetime.now(UTC),
    )


async def test_reservations_follow_their_orders_published_events(
    engine: AsyncEngine, deps: InventoryDeps, clock: FixedClock
) -> None:
    bus = CommandBus()
    inventory.register(bus, deps)
    settler = OrderStockSettler(bus)
    sku = await stocked(deps, 10)
    paid, unpaid, cancelled, refunded = (uuid.uuid4() for _ in range(4))
    for order, quantity in ((paid, 3), (unpaid, 4), (cancelled, 1), (refunded, 2)):
        await reserve(deps, order, (sku, quantity))

    for _ in range(2):  # the log may deliver twice: the second time changes nothing
        for stored in [
            published("OrderPlaced", unpaid),  # not inventory's concern
            published("OrderPaid", paid),
            published("OrderCancelled", cancelled),
            published("RefundIssued", refunded),
        ]:
            await settler.react(stored)
    now = await level(engine, sku)
    assert (now.on_hand, now.reserved) == (10, 7)
    assert not settler.interest.wants(published("OrderPlaced", unpaid))
    await settler.react(published("RefundIssued", paid, refunded_in_full=False))  # a part back
    assert (await level(engine, sku)).reserved == 7  # the paid order still ships its units

    clock.advance(HOLD + timedelta(seconds=1))
    await handlers.expire_reservations(ExpireReservations(), deps=deps)
    assert (await level(engine, sku)).reserved == 3  # the paid order's units are kept

    await settler.react(published("OrderShipped", paid))
    await settler.react(published("RefundIssued", paid))  # after shipping: nothing
    now = await level(engine, sku)
    assert (now.on_hand, now.reserved, now.available) == (7, 0, 7)
    assert await ledger_sums(engine, sku) == (7, 0)


async def test_the_database_refuses_a_reservation_the_aggregate_wrongly_allowed(
    engine: AsyncEngine, deps: InventoryDeps, clock: FixedClock
) -> None:
    """The repository writes movements, not counts: a stock item that believes stale counts
    (as if it had been loaded without its SKU's lock) cannot oversell."""
    sku = await stocked(deps, 2)
    await reserve(deps, uuid.uuid4(), (sku, 2))
    stale = StockItem(sku, levels={"main": LocationLevel("main", 2, 0)}, known=True)
    stale.reserve(
        order_id=uuid.uuid4(), location="main", quantity=2, expires_at=None, now=clock.now()
    )
    async with SqlInventoryUnitOfWork(engine, REGISTRY) as uow:
        with pytest.raises(ConcurrencyConflict):
            await uow.stock.save([stale])
    now = await level(engine, sku)
    assert (now.on_hand, now.reserved) == (2, 2)
    assert await ledger_sums(engine, sku) == (2, 2)
