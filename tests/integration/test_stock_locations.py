"""Stock per location on real PostgreSQL: allocation never oversells a location under
contention, shipments and returns apply once, transfers never go below zero, backorders stay
within their limit."""

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.contexts import inventory
from agora.contexts.ordering import InventoryForOrdering
from application.inventory import commands as c
from application.inventory.deps import InventoryDeps
from application.inventory.queries import InventoryQueries
from application.shared.bus import CommandBus
from domain.inventory.errors import (
    BackorderLimitReached,
    InsufficientStock,
    LocationInactive,
    UnknownLocation,
)
from domain.inventory.stock import Reservation
from domain.inventory.values import BackorderPolicy, StockLevel
from domain.shared.sku import Sku
from infrastructure.db.migrations import alembic_config
from infrastructure.eventlog.store import StoredEvent
from infrastructure.inventory.readers import SqlStockReader
from infrastructure.inventory.subscribers import OrderStockSettler
from infrastructure.inventory.tables import stock_ledger, stock_levels
from infrastructure.inventory.unit_of_work import SqlInventoryUnitOfWork
from tests.support.eventlog import REGISTRY
from tests.support.fakes.shared import FixedClock

HOLD = timedelta(minutes=15)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def bus(engine: AsyncEngine, clock: FixedClock) -> CommandBus:
    bus = CommandBus()
    deps = InventoryDeps(uow=partial(SqlInventoryUnitOfWork, engine, REGISTRY), clock=clock)
    inventory.register(bus, deps)
    return bus


def a_code() -> str:
    return f"loc-{uuid.uuid4().hex[:8]}"


def a_sku() -> str:
    return f"L-{uuid.uuid4().hex[:10]}".upper()


async def opened(bus: CommandBus) -> str:
    view = await bus.handle(c.OpenLocation(code=a_code(), name="Second", actor_id=None))
    return view.code


async def receive(bus: CommandBus, sku: str, quantity: int, location: str = "main") -> None:
    await bus.handle(c.ReceiveStock(sku=sku, quantity=quantity, actor_id=None, location=location))


async def reserve(bus: CommandBus, *lines: tuple[str, int]) -> list[Reservation]:
    command = c.ReserveStock(order_id=uuid.uuid4(), lines=tuple(lines), hold_for=HOLD)
    return await bus.handle(command)


async def level(engine: AsyncEngine, sku: str) -> StockLevel:
    found = await SqlStockReader(engine).level(Sku.parse(sku))
    assert found is not None
    return found


async def consistent(engine: AsyncEngine, sku: str) -> StockLevel:
    """Totals are the sums of the locations, and the ledger adds up to both."""
    now = await level(engine, sku)
    assert now.on_hand == sum(lv.on_hand for lv in now.locations)
    assert now.reserved == sum(lv.reserved for lv in now.locations)
    assert now.backordered == sum(lv.backordered for lv in now.locations)
    assert all(0 <= lv.reserved <= lv.on_hand for lv in now.locations)
    query = select(
        func.coalesce(func.sum(stock_ledger.c.on_hand_delta), 0),
        func.coalesce(func.sum(stock_ledger.c.reserved_delta), 0),
        func.coalesce(func.sum(stock_ledger.c.backordered_delta), 0),
    ).where(stock_ledger.c.sku == sku)
    async with engine.connect() as conn:
        sums = tuple(int(n) for n in (await conn.execute(query)).one())
    assert sums == (now.on_hand, now.reserved, now.backordered)
    return now


def at(now: StockLevel, location: str) -> tuple[int, int]:
    found = next(lv for lv in now.locations if lv.location == location)
    return found.on_hand, found.reserved


def event(event_type: str, payload: dict[str, Any], stream_type: str = "order") -> StoredEvent:
    return StoredEvent(
        position=0,
        transaction_id=0,
        stream_type=stream_type,
        stream_id=f"{stream_type}-{payload['order_id']}",
        stream_version=1,
        event_id=uuid.uuid4(),
        event_type=event_type,
        schema_version=1,
        payload=payload,
        metadata={},
        recorded_at=datetime.now(UTC),
    )


async def test_one_location_with_every_line_is_preferred_else_the_order_is_split(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    other, mug, cup = await opened(bus), a_sku(), a_sku()
    await receive(bus, mug, 2)
    await receive(bus, mug, 5, other)
    await receive(bus, cup, 1, other)
    whole = await reserve(bus, (mug, 3), (cup, 1))
    assert {(r.sku, r.location, r.quantity) for r in whole} == {(mug, other, 3), (cup, other, 1)}
    split = await reserve(bus, (mug, 3))  # main has 2, the other 2: split over both
    assert {r.location for r in split} == {"main", other}
    assert sum(r.quantity for r in split) == 3
    now = await consistent(engine, mug)
    assert now.reserved == 6
    assert now.available == 1


async def test_concurrent_reservations_over_two_locations_never_oversell_either(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    other, mug, cup = await opened(bus), a_sku(), a_sku()
    for sku in (mug, cup):
        await receive(bus, sku, 7)
        await receive(bus, sku, 5, other)
    results = await asyncio.gather(
        *(reserve(bus, (mug, 1 + n % 3), (cup, 1)) for n in range(40)), return_exceptions=True
    )
    assert all(isinstance(r, list | InsufficientStock) for r in results)
    held = [r for r in results if isinstance(r, list)]
    for sku in (mug, cup):
        now = await consistent(engine, sku)
        assert now.reserved == sum(x.quantity for rs in held for x in rs if x.sku == sku)
        assert all(lv.reserved <= lv.on_hand for lv in now.locations)
    assert (await level(engine, cup)).reserved == len(held) <= 12


async def test_a_shipment_commits_its_units_once_and_order_shipped_only_the_rest(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    sku, order = a_sku(), uuid.uuid4()
    await receive(bus, sku, 10)
    await bus.handle(c.ReserveStock(order_id=order, lines=((sku, 4),), hold_for=HOLD))
    queries = InventoryQueries(stock=SqlStockReader(engine))
    assert await queries.shipment_shortfall(order, [(sku, 3)], "main") is None
    assert await queries.shipment_shortfall(order, [(sku, 5)], None) is not None
    assert await queries.shipment_shortfall(order, [(sku, 1)], "elsewhere") is not None
    settler = OrderStockSettler(bus)
    dispatched = event(
        "ShipmentDispatched",
        {
            "order_id": str(order),
            "shipment_id": str(uuid.uuid4()),
            "lines": [{"sku": sku, "quantity": 3}],
            "location": None,
        },
    )
    await settler.react(dispatched)
    await settler.react(dispatched)  # delivered twice: applied once
    now = await consistent(engine, sku)
    assert (now.on_hand, now.reserved) == (7, 1)
    await settler.react(event("OrderShipped", {"order_id": str(order)}))
    await settler.react(event("OrderShipped", {"order_id": str(order)}))
    now = await consistent(engine, sku)
    assert (now.on_hand, now.reserved) == (6, 0)


async def test_a_return_restocks_at_its_location_and_writes_off_once(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    other, sku = await opened(bus), a_sku()
    await receive(bus, sku, 1)
    received = event(
        "ReturnReceived",
        {
            "return_id": str(uuid.uuid4()),
            "order_id": str(uuid.uuid4()),
            "units": [
                {"sku": sku, "quantity": 2, "disposition": "restock", "location": other},
                {"sku": sku, "quantity": 1, "disposition": "restock", "location": None},
                {"sku": sku, "quantity": 3, "disposition": "write_off", "location": None},
            ],
        },
        stream_type="return",
    )
    settler = OrderStockSettler(bus)
    await settler.react(received)
    await settler.react(received)  # the same receipt again
    await settler.react(replace(received))  # and once more, as a redelivery
    now = await consistent(engine, sku)
    assert (at(now, "main"), at(now, other)) == ((2, 0), (2, 0))
    async with engine.connect() as conn:
        written_off = await conn.scalar(
            select(func.count()).where(
                stock_ledger.c.sku == sku, stock_ledger.c.movement == "write_off"
            )
        )
    assert written_off == 1


async def test_concurrent_transfers_never_take_a_location_below_zero(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    other, sku = await opened(bus), a_sku()
    await receive(bus, sku, 10)
    await reserve(bus, (sku, 4))  # main: 6 available
    move = c.TransferStock(
        sku=sku, from_location="main", to_location=other, quantity=2, actor_id=None
    )
    results = await asyncio.gather(*(bus.handle(move) for _ in range(8)), return_exceptions=True)
    assert sum(isinstance(r, StockLevel) for r in results) == 3
    assert all(isinstance(r, InsufficientStock) for r in results if not isinstance(r, StockLevel))
    now = await consistent(engine, sku)
    assert (at(now, "main"), at(now, other)) == ((4, 4), (6, 0))


async def test_unknown_and_inactive_locations_are_refused(bus: CommandBus) -> None:
    sku, other = a_sku(), await opened(bus)
    with pytest.raises(UnknownLocation):
        await receive(bus, sku, 1, "nowhere")
    await bus.handle(c.DeactivateLocation(code=other, actor_id=None))
    with pytest.raises(LocationInactive):
        await receive(bus, sku, 1, other)


async def test_concurrent_backorders_never_pass_the_limit_and_receipts_fill_them_first(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    sku = a_sku()
    await receive(bus, sku, 2)
    await bus.handle(
        c.SetBackorderPolicy(sku=sku, policy=BackorderPolicy.BACKORDER, limit=5, actor_id=None)
    )
    results = await asyncio.gather(
        *(reserve(bus, (sku, 1)) for _ in range(12)), return_exceptions=True
    )
    assert sum(isinstance(r, list) for r in results) == 7  # 2 on hand + 5 backordered
    assert all(isinstance(r, BackorderLimitReached) for r in results if not isinstance(r, list))
    now = await consistent(engine, sku)
    assert (now.on_hand, now.reserved, now.backordered) == (2, 2, 5)
    await receive(bus, sku, 4)  # fills four backorders, oldest first
    now = await consistent(engine, sku)
    assert (now.on_hand, now.reserved, now.backordered, now.available) == (6, 6, 1, 0)
    await receive(bus, sku, 3)
    now = await consistent(engine, sku)
    assert (now.on_hand, now.reserved, now.backordered, now.available) == (9, 7, 0, 2)
    async with engine.connect() as conn:
        rows = await conn.scalar(select(func.count()).where(stock_levels.c.sku == sku))
    assert rows == 1


async def test_what_a_partly_shipped_reservation_still_holds_expires_or_is_released_there(
    engine: AsyncEngine, bus: CommandBus, clock: FixedClock
) -> None:
    other, sku = await opened(bus), a_sku()
    await receive(bus, sku, 4, other)
    expiring, cancelled = uuid.uuid4(), uuid.uuid4()
    for order in (expiring, cancelled):
        await bus.handle(c.ReserveStock(order_id=order, lines=((sku, 2),), hold_for=HOLD))
        await bus.handle(
            c.CommitShipment(
                order_id=order,
                shipment_id=uuid.uuid4(),
                lines=((sku, 1),),
                location=other,
                event_id=uuid.uuid4(),
            )
        )
    await bus.handle(c.KeepReservations(order_id=cancelled))
    await bus.handle(c.ReleaseReservations(order_id=cancelled))
    assert at(await consistent(engine, sku), other) == (2, 1)
    clock.advance(HOLD * 2)
    await bus.handle(c.ExpireReservations(batch=10_000))
    assert at(await consistent(engine, sku), other) == (2, 0)


async def test_the_migration_moves_existing_units_and_reservations_to_main(
    database_url: str, engine: AsyncEngine, bus: CommandBus
) -> None:
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "a4b3c2d1e0f9-1")
    sku, order = a_sku(), uuid.uuid4()
    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO stock_items (sku, on_hand, reserved) VALUES (:sku, 5, 2)"),
            {"sku": sku},
        )
        await conn.execute(
            text(
                "INSERT INTO stock_reservations (id, order_id, sku, quantity, expires_at,"
                " created_at) VALUES (:id, :order, :sku, 2, NULL, now())"
            ),
            {"id": uuid.uuid4(), "order": order, "sku": sku},
        )
    await engine.dispose()
    await asyncio.to_thread(command.upgrade, config, "head")
    now = await level(engine, sku)
    assert (now.on_hand, now.reserved, at(now, "main")) == (5, 2, (5, 2))
    [committed] = await bus.handle(c.CommitReservations(order_id=order))
    assert (committed.location, committed.quantity) == ("main", 2)
    now = await level(engine, sku)
    assert (now.on_hand, now.reserved, at(now, "main")) == (3, 0, (3, 0))


async def test_ordering_is_told_why_when_backorders_are_full(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    sku = a_sku()
    await receive(bus, sku, 1)
    await bus.handle(
        c.SetBackorderPolicy(sku=sku, policy=BackorderPolicy.PREORDER, limit=1, actor_id=None)
    )
    port = InventoryForOrdering(bus, InventoryQueries(stock=SqlStockReader(engine)))
    assert await port.reserve(uuid.uuid4(), [(sku, 2)], hold_for=HOLD) is None  # one preordered
    refused = await port.reserve(uuid.uuid4(), [(sku, 1)], hold_for=HOLD)
    assert refused is not None
    assert "backorders full" in refused
    now = await consistent(engine, sku)
    assert (now.on_hand, now.reserved, now.backordered) == (1, 1, 1)
