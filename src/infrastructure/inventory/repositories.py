"""The stock repository: each movement is written as one relative, conditional statement and a
ledger row, never as counts the aggregate computed: the WHERE and the CHECK have the last word."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.errors import ConcurrencyConflict
from application.shared.views import view_of
from domain.inventory import events as ev
from domain.inventory.stock import Reservation, StockItem, stock_stream
from domain.inventory.values import BackorderPolicy, LocationLevel, ReservationStatus
from domain.shared.events import DomainEvent
from infrastructure.db.unit_of_work import SeenAggregates
from infrastructure.eventlog.store import EventStore
from infrastructure.inventory.movements import Movements, ledger_rows
from infrastructure.inventory.tables import (
    stock_applied_events,
    stock_items,
    stock_ledger,
    stock_levels,
    stock_reservations,
)

r, i, lv = stock_reservations.c, stock_items.c, stock_levels.c
HELD = ReservationStatus.HELD


class SqlStockRepository:
    """The StockRepository port on the unit of work's connection."""

    def __init__(self, conn: AsyncConnection, events: EventStore, seen: SeenAggregates) -> None:
        self._conn = conn
        self._events = events
        self._seen = seen
        self._movements = Movements(conn)
        self._written: dict[int, int] = {}  # events of each item already written, by identity

    async def get_many(self, skus: Iterable[str]) -> dict[str, StockItem]:
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        await self._events.lock_streams(stock_stream(sku) for sku in wanted)
        statement = select(i.sku, i.backorder_policy, i.backorder_limit).where(i.sku.in_(wanted))
        found = {row.sku: row for row in await self._conn.execute(statement)}
        levels: dict[str, dict[str, LocationLevel]] = {sku: {} for sku in wanted}
        rows = await self._conn.execute(select(stock_levels).where(lv.sku.in_(wanted)))
        for row in rows:
            levels[row.sku][row.location] = LocationLevel(
                row.location, row.on_hand, row.reserved, row.backordered
            )
        return {
            sku: self._seen.add(
                StockItem(
                    sku,
                    levels=levels[sku],
                    known=True,
                    policy=BackorderPolicy(found[sku].backorder_policy),
                    backorder_limit=found[sku].backorder_limit,
                )
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
                await self._movements.write(event)
                await self._settle(event)
                ledger.extend(ledger_rows(event))
                if isinstance(event, ev.StockReserved):
                    reservations.append(_reservation_row(event))
            self._written[id(item)] = len(item.pending_events)
        if reservations:  # after the statements above: their levels exist
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

    async def backordered(self, sku: str, location: str) -> list[Reservation]:
        rows = await self._conn.execute(
            select(stock_reservations)
            .where(r.sku == sku, r.location == location, r.status == HELD, r.backordered > 0)
            .order_by(r.created_at, r.id)
        )
        return [_reservation(row._mapping) for row in rows]

    async def claim(self, event_id: UUID) -> bool:
        claimed = await self._conn.execute(
            pg_insert(stock_applied_events)
            .values(event_id=event_id, applied_at=func.now())
            .on_conflict_do_nothing()
            .returning(stock_applied_events.c.event_id)
        )
        return claimed.first() is not None

    async def _settle(self, event: DomainEvent) -> None:
        """The reservation's own row follows its movements."""
        match event:
            case ev.StockReleased(reservation_id=rid, reason=reason):
                status = (
                    ReservationStatus.EXPIRED if reason == "expired" else ReservationStatus.RELEASED
                )
                change: dict[str, Any] = {"status": status, "settled_at": event.occurred_at}
            case ev.StockCommitted(reservation_id=rid, quantity=q, settled=settled):
                change = {"committed": r.committed + q}
                if settled:
                    change |= {
                        "status": ReservationStatus.COMMITTED,
                        "settled_at": event.occurred_at,
                        "backordered": 0,
                    }
            case ev.BackorderFilled(reservation_id=rid, quantity=q):
                change = {"backordered": r.backordered - q}
            case _:
                return
        result = await self._conn.execute(
            update(stock_reservations).where(r.id == rid, r.status == HELD).values(**change)
        )
        if result.rowcount != 1:
            raise ConcurrencyConflict(f"reservation {rid} was settled without its lock")


def _reservation_row(event: ev.StockReserved) -> dict[str, Any]:
    return {
        "id": event.reservation_id,
        "order_id": event.order_id,
        "sku": event.sku,
        "quantity": event.quantity,
        "expires_at": event.expires_at,
        "created_at": event.occurred_at,
        "location": event.location,
        "backordered": event.backordered,
    }


def _reservation(row: Mapping[Any, Any]) -> Reservation:
    return view_of(Reservation, row, status=ReservationStatus(row["status"]))
