"""The stock repository: each movement is written as one relative, conditional statement and a
ledger row, never as counts the aggregate computed: the WHERE and the CHECK have the last word."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.errors import ConcurrencyConflict
from application.shared.views import view_of
from domain.inventory import events as ev
from domain.inventory.stock import Reservation, StockItem, stock_stream
from domain.inventory.values import ReservationStatus
from domain.shared.events import DomainEvent
from infrastructure.db.unit_of_work import SeenAggregates
from infrastructure.eventlog.store import EventStore
from infrastructure.inventory.tables import AVAILABLE, stock_items, stock_ledger, stock_reservations

r, i = stock_reservations.c, stock_items.c
HELD = ReservationStatus.HELD


class SqlStockRepository:
    """The StockRepository port on the unit of work's connection."""

    def __init__(self, conn: AsyncConnection, events: EventStore, seen: SeenAggregates) -> None:
        self._conn = conn
        self._events = events
        self._seen = seen
        self._written: dict[int, int] = {}  # events of each item already written, by identity

    async def get_many(self, skus: Iterable[str]) -> dict[str, StockItem]:
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        await self._events.lock_streams(stock_stream(sku) for sku in wanted)
        statement = select(i.sku, i.on_hand, i.reserved).where(i.sku.in_(wanted))
        found = {row.sku: row for row in await self._conn.execute(statement)}
        return {
            sku: self._seen.add(
                StockItem(sku, on_hand=found[sku].on_hand, reserved=found[sku].reserved, known=True)
                if sku in found
                else StockItem(sku)
            )
            for sku in wanted
        }

    async def save(self, items: Iterable[StockItem]) -> None:
        ledger: list[dict[str, Any]] = []
        reservations: list[dict[str, Any]] = []
        for item in items:
            done = self._written.get(id(item), 0)
            for event in item.pending_events[done:]:
                await self._move(event)
                ledger.append(_ledger_row(event))
                if isinstance(event, ev.StockReserved):
                    reservations.append(_reservation_row(event))
            self._written[id(item)] = len(item.pending_events)
        if reservations:
            await self._conn.execute(insert(stock_reservations), reservations)
        if ledger:
            await self._conn.execute(insert(stock_ledger), ledger)

    async def reservations_of(self, order_id: UUID) -> list[Reservation]:
        rows = await self._conn.execute(
            select(stock_reservations).where(r.order_id == order_id).order_by(r.sku)
        )
        return [_reservation(row._mapping) for row in rows]

    async def reservations(self, ids: Iterable[UUID]) -> list[Reservation]:
        wanted = list(ids)
        if not wanted:
            return []
        rows = await self._conn.execute(
            select(stock_reservations).where(r.id.in_(wanted)).order_by(r.sku, r.id)
        )
        return [_reservation(row._mapping) for row in rows]

    async def due(self, now: datetime, *, limit: int) -> list[Reservation]:
        rows = await self._conn.execute(
            select(stock_reservations)
            .where(r.status == HELD, r.expires_at <= now)
            .order_by(r.expires_at)
            .limit(limit)
        )
        return [_reservation(row._mapping) for row in rows]

    async def keep(self, order_id: UUID) -> int:
        result = await self._conn.execute(
            update(stock_reservations)
            .where(r.order_id == order_id, r.status == HELD)
            .values(expires_at=None)
        )
        return result.rowcount

    async def _move(self, event: DomainEvent) -> None:
        """One movement as one statement; a refused condition is a write outside the lock."""
        assert isinstance(event, ev.StockMovement)
        if isinstance(event, ev.StockReceived):
            upsert = pg_insert(stock_items).values(sku=event.sku, on_hand=event.quantity)
            change = {"on_hand": i.on_hand + event.quantity, "updated_at": event.occurred_at}
            await self._conn.execute(
                upsert.on_conflict_do_update(index_elements=[i.sku], set_=change)
            )
            return
        await self._stock(event.sku, *_relative_change(event), at=event.occurred_at)
        if isinstance(event, ev.StockReleased | ev.StockCommitted):
            await self._settle(event.reservation_id, _settled(event), event.occurred_at)

    async def _stock(
        self, sku: str, change: Mapping[Any, Any], guard: ColumnElement[bool], at: datetime
    ) -> None:
        result = await self._conn.execute(
            update(stock_items).where(i.sku == sku, guard).values(**change, updated_at=at)
        )
        if result.rowcount != 1:
            raise ConcurrencyConflict(f"the stock of {sku} changed without its lock")

    async def _settle(self, reservation_id: UUID, status: ReservationStatus, at: datetime) -> None:
        result = await self._conn.execute(
            update(stock_reservations)
            .where(r.id == reservation_id, r.status == HELD)
            .values(status=status, settled_at=at)
        )
        if result.rowcount != 1:
            raise ConcurrencyConflict(f"reservation {reservation_id} was settled without its lock")


def _relative_change(
    event: ev.StockAdjusted | ev.StockReserved | ev.StockReleased | ev.StockCommitted,
) -> tuple[dict[str, Any], ColumnElement[bool]]:
    """The columns a movement changes (relative to what they hold) and the rule it must keep."""
    match event:
        case ev.StockAdjusted(delta=delta):
            return {"on_hand": i.on_hand + delta}, i.on_hand + delta >= i.reserved
        case ev.StockReserved(quantity=quantity):
            return {"reserved": i.reserved + quantity}, quantity <= AVAILABLE
        case ev.StockReleased(quantity=quantity):
            return {"reserved": i.reserved - quantity}, i.reserved >= quantity
        case ev.StockCommitted(quantity=quantity):
            change = {"reserved": i.reserved - quantity, "on_hand": i.on_hand - quantity}
            return change, i.reserved >= quantity


def _settled(event: ev.StockReleased | ev.StockCommitted) -> ReservationStatus:
    if isinstance(event, ev.StockCommitted):
        return ReservationStatus.COMMITTED
    return ReservationStatus.EXPIRED if event.reason == "expired" else ReservationStatus.RELEASED


def _ledger_row(event: DomainEvent) -> dict[str, Any]:
    """The movement as the append-only ledger records it."""
    assert isinstance(event, ev.StockMovement)
    row: dict[str, Any] = {
        "sku": event.sku,
        "recorded_at": event.occurred_at,
        "on_hand_delta": 0,
        "reserved_delta": 0,
        "reservation_id": getattr(event, "reservation_id", None),
        "order_id": getattr(event, "order_id", None),
        "actor_id": getattr(event, "actor_id", None),
        "reason": None,
    }
    match event:
        case ev.StockReceived(quantity=quantity):
            row |= {"movement": "receive", "on_hand_delta": quantity}
        case ev.StockAdjusted(delta=delta, reason=reason):
            row |= {"movement": "adjust", "on_hand_delta": delta, "reason": reason}
        case ev.StockReserved(quantity=quantity):
            row |= {"movement": "reserve", "reserved_delta": quantity}
        case ev.StockReleased(quantity=quantity, reason="expired"):
            row |= {"movement": "expire", "reserved_delta": -quantity}
            row["reason"] = "reservation expired"
        case ev.StockReleased(quantity=quantity):
            row |= {"movement": "release", "reserved_delta": -quantity}
        case ev.StockCommitted(quantity=quantity):
            row |= {"movement": "commit", "on_hand_delta": -quantity, "reserved_delta": -quantity}
    return row


def _reservation_row(event: ev.StockReserved) -> dict[str, Any]:
    return {
        "id": event.reservation_id,
        "order_id": event.order_id,
        "sku": event.sku,
        "quantity": event.quantity,
        "expires_at": event.expires_at,
        "created_at": event.occurred_at,
    }


def _reservation(row: Mapping[Any, Any]) -> Reservation:
    return view_of(Reservation, row, status=ReservationStatus(row["status"]))
