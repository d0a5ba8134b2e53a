"""The stock repository: every change is one conditional statement plus its ledger row."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from application.inventory.ports import Movement, Reservation
from domain.inventory.errors import AdjustmentBelowReserved, InsufficientStock, UnknownSku
from domain.inventory.stock import StockLevel
from domain.shared.sku import Sku
from infrastructure.eventlog.store import EventStore
from infrastructure.inventory.event_types import stock_stream
from infrastructure.inventory.tables import (
    AVAILABLE,
    stock_items,
    stock_ledger,
    stock_reservations,
)


class SqlStockRepository:
    """Never reads a level to decide a write: the WHERE clause is the rule."""

    def __init__(self, conn: AsyncConnection, events: EventStore) -> None:
        self._conn = conn
        self._events = events

    async def lock(self, skus: Iterable[str]) -> None:
        await self._events.lock_streams(stock_stream(sku) for sku in skus)

    async def receive(self, sku: Sku, quantity: int, movement: Movement) -> StockLevel:
        upsert = pg_insert(stock_items).values(sku=sku.value, on_hand=quantity, reserved=0)
        row = (
            await self._conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=[stock_items.c.sku],
                    set_={"on_hand": stock_items.c.on_hand + quantity, "updated_at": movement.at},
                ).returning(stock_items.c.on_hand, stock_items.c.reserved)
            )
        ).one()
        await self._ledger(sku.value, "receive", movement, on_hand=quantity)
        return StockLevel(sku.value, row.on_hand, row.reserved)

    async def adjust(self, sku: Sku, delta: int, movement: Movement) -> StockLevel:
        row = (
            await self._conn.execute(
                update(stock_items)
                .where(
                    stock_items.c.sku == sku.value,
                    stock_items.c.on_hand + delta >= stock_items.c.reserved,
                )
                .values(on_hand=stock_items.c.on_hand + delta, updated_at=movement.at)
                .returning(stock_items.c.on_hand, stock_items.c.reserved)
            )
        ).first()
        if row is None:
            level = await self._level(sku.value)
            if level is None:
                raise UnknownSku(f"no stock recorded for {sku}")
            raise AdjustmentBelowReserved(
                f"{sku}: {level.on_hand} on hand, {level.reserved} reserved; "
                f"{delta} would leave less than is reserved"
            )
        await self._ledger(sku.value, "adjust", movement, on_hand=delta)
        return StockLevel(sku.value, row.on_hand, row.reserved)

    async def reserve(self, sku: Sku, reservation: Reservation, movement: Movement) -> None:
        held = (
            await self._conn.execute(
                update(stock_items)
                .where(
                    stock_items.c.sku == sku.value,
                    reservation.quantity <= AVAILABLE,
                )
                .values(
                    reserved=stock_items.c.reserved + reservation.quantity,
                    updated_at=movement.at,
                )
                .returning(stock_items.c.sku)
            )
        ).first()
        if held is None:
            level = await self._level(sku.value)
            raise InsufficientStock(
                sku.value,
                requested=reservation.quantity,
                available=0 if level is None else level.available,
            )
        await self._conn.execute(
            insert(stock_reservations).values(
                id=reservation.id,
                order_id=reservation.order_id,
                sku=sku.value,
                quantity=reservation.quantity,
                expires_at=reservation.expires_at,
                created_at=movement.at,
            )
        )
        await self._ledger(
            sku.value, "reserve", movement, reserved=reservation.quantity, reservation=reservation
        )

    async def reservations_of(self, order_id: UUID) -> list[Reservation]:
        rows = await self._conn.execute(
            select(stock_reservations)
            .where(stock_reservations.c.order_id == order_id)
            .order_by(stock_reservations.c.sku)
        )
        return [_reservation(r._mapping) for r in rows]

    async def settle(
        self, order_id: UUID, *, outcome: str, movement: Movement
    ) -> list[Reservation]:
        rows = await self._conn.execute(
            update(stock_reservations)
            .where(stock_reservations.c.order_id == order_id, stock_reservations.c.status == "held")
            .values(status=outcome, settled_at=movement.at)
            .returning(*stock_reservations.c)
        )
        settled = sorted((_reservation(r._mapping) for r in rows), key=lambda r: r.sku)
        for reservation in settled:
            await self._unhold(reservation, outcome, movement)
        return settled

    async def keep(self, order_id: UUID) -> int:
        result = await self._conn.execute(
            update(stock_reservations)
            .where(stock_reservations.c.order_id == order_id, stock_reservations.c.status == "held")
            .values(expires_at=None)
        )
        return result.rowcount

    async def due(self, now: datetime, *, limit: int) -> list[Reservation]:
        rows = await self._conn.execute(
            select(stock_reservations)
            .where(stock_reservations.c.status == "held", stock_reservations.c.expires_at <= now)
            .order_by(stock_reservations.c.expires_at)
            .limit(limit)
        )
        return [_reservation(r._mapping) for r in rows]

    async def expire(self, reservations: list[Reservation], *, now: datetime) -> list[Reservation]:
        rows = await self._conn.execute(
            update(stock_reservations)
            .where(
                stock_reservations.c.id.in_([r.id for r in reservations]),
                stock_reservations.c.status == "held",  # a concurrent sweep got there first
            )
            .values(status="expired", settled_at=now)
            .returning(*stock_reservations.c)
        )
        expired = sorted((_reservation(r._mapping) for r in rows), key=lambda r: r.sku)
        for reservation in expired:
            await self._unhold(
                reservation, "expire", Movement(at=now, reason="reservation expired")
            )
        return expired

    async def _unhold(self, reservation: Reservation, outcome: str, movement: Movement) -> None:
        """A release gives the units back; a commit ships them (on hand drops too)."""
        shipped = reservation.quantity if outcome == "committed" else 0
        await self._conn.execute(
            update(stock_items)
            .where(stock_items.c.sku == reservation.sku)
            .values(
                reserved=stock_items.c.reserved - reservation.quantity,
                on_hand=stock_items.c.on_hand - shipped,
                updated_at=movement.at,
            )
        )
        movement_name = {"committed": "commit", "released": "release"}.get(outcome, outcome)
        await self._ledger(
            reservation.sku,
            movement_name,
            movement,
            on_hand=-shipped,
            reserved=-reservation.quantity,
            reservation=reservation,
        )

    async def _level(self, sku: str) -> StockLevel | None:
        row = (
            await self._conn.execute(
                select(stock_items.c.on_hand, stock_items.c.reserved).where(
                    stock_items.c.sku == sku
                )
            )
        ).first()
        return None if row is None else StockLevel(sku, row.on_hand, row.reserved)

    async def _ledger(
        self,
        sku: str,
        movement_name: str,
        movement: Movement,
        *,
        on_hand: int = 0,
        reserved: int = 0,
        reservation: Reservation | None = None,
    ) -> None:
        await self._conn.execute(
            insert(stock_ledger).values(
                sku=sku,
                movement=movement_name,
                on_hand_delta=on_hand,
                reserved_delta=reserved,
                reservation_id=reservation.id if reservation else None,
                order_id=reservation.order_id if reservation else None,
                reason=movement.reason,
                actor_id=movement.actor_id,
                recorded_at=movement.at,
            )
        )


def _reservation(row: Any) -> Reservation:
    return Reservation(
        id=row["id"],
        order_id=row["order_id"],
        sku=row["sku"],
        quantity=row["quantity"],
        expires_at=row["expires_at"],
        status=row["status"],
    )
