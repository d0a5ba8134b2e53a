"""Each stock movement as relative, conditional statements on the SKU's totals (stock_items)
and its level at the location (stock_levels), and as the ledger rows that record it. The
WHERE and the CHECKs have the last word: a refused condition is a write outside the lock."""

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.errors import ConcurrencyConflict
from domain.inventory import events as ev
from domain.shared.events import DomainEvent
from infrastructure.inventory.tables import (
    LOCATION_AVAILABLE,
    stock_items,
    stock_levels,
)

i, lv = stock_items.c, stock_levels.c


class Movements:
    """Writes movements on one connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def write(self, event: DomainEvent) -> None:
        assert isinstance(event, ev.StockMovement)
        at = event.occurred_at
        match event:
            case (
                ev.StockReceived(quantity=q, location=loc)
                | ev.StockRestocked(quantity=q, location=loc)
            ):
                await self._arrive(event.sku, loc, q, at)
            case ev.StockAdjusted(delta=d, location=loc):
                await self._both(
                    event.sku, loc, at, {"on_hand": d}, lambda t: t.c.on_hand + d >= t.c.reserved
                )
            case ev.StockReserved(quantity=q, backordered=b, location=loc):
                if b:
                    await self._level_row(event.sku, loc, at)
                await self._both(
                    event.sku,
                    loc,
                    at,
                    {"reserved": q - b, "backordered": b},
                    lambda t: (q - b) <= t.c.on_hand - t.c.reserved,
                    totals_guard=(i.backordered + b <= i.backorder_limit) if b else true(),
                )
            case ev.StockReleased(quantity=q, backordered=b, location=loc):
                await self._both(
                    event.sku,
                    loc,
                    at,
                    {"reserved": -(q - b), "backordered": -b},
                    lambda t: (t.c.reserved >= q - b) & (t.c.backordered >= b),
                )
            case ev.StockCommitted(quantity=q, backordered=b, location=loc):
                await self._both(
                    event.sku,
                    loc,
                    at,
                    {"reserved": -q, "on_hand": -q, "backordered": -b},
                    lambda t: (t.c.reserved >= q) & (t.c.backordered >= b),
                )
            case ev.StockTransferred(quantity=q, from_location=source, to_location=target):
                await self._one(
                    stock_levels,
                    (lv.sku == event.sku) & (lv.location == source) & (q <= LOCATION_AVAILABLE),
                    {"on_hand": lv.on_hand - q, "updated_at": at},
                    event.sku,
                )
                await self._arrive(event.sku, target, q, at, totals=False)
            case ev.BackorderFilled(quantity=q, location=loc):
                await self._both(
                    event.sku,
                    loc,
                    at,
                    {"reserved": q, "backordered": -q},
                    lambda t: (q <= t.c.on_hand - t.c.reserved) & (t.c.backordered >= q),
                )
            case ev.BackorderPolicySet(policy=policy, limit=limit):
                values = {"backorder_policy": policy.value, "backorder_limit": limit}
                upsert = pg_insert(stock_items).values(sku=event.sku, on_hand=0, **values)
                await self._conn.execute(
                    upsert.on_conflict_do_update(
                        index_elements=[i.sku], set_=values | {"updated_at": at}
                    )
                )
            case ev.StockWrittenOff():
                pass  # a ledger row only: the units were not on hand

    async def _arrive(
        self, sku: str, location: str, quantity: int, at: datetime, *, totals: bool = True
    ) -> None:
        if totals:
            upsert = pg_insert(stock_items).values(sku=sku, on_hand=quantity, updated_at=at)
            await self._conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=[i.sku],
                    set_={"on_hand": i.on_hand + quantity, "updated_at": at},
                )
            )
        upsert = pg_insert(stock_levels).values(
            sku=sku, location=location, on_hand=quantity, updated_at=at
        )
        await self._conn.execute(
            upsert.on_conflict_do_update(
                index_elements=[lv.sku, lv.location],
                set_={"on_hand": lv.on_hand + quantity, "updated_at": at},
            )
        )

    async def _level_row(self, sku: str, location: str, at: datetime) -> None:
        """A level to hold a backorder at a location that never had the SKU."""
        await self._conn.execute(
            pg_insert(stock_levels)
            .values(sku=sku, location=location, on_hand=0, updated_at=at)
            .on_conflict_do_nothing()
        )

    async def _both(
        self,
        sku: str,
        location: str,
        at: datetime,
        deltas: dict[str, int],
        guard: Any,
        *,
        totals_guard: ColumnElement[bool] | None = None,
    ) -> None:
        """The same relative change (and rule) on the SKU's totals and its level there."""
        for table, where in (
            (stock_items, i.sku == sku),
            (stock_levels, (lv.sku == sku) & (lv.location == location)),
        ):
            condition = where & guard(table)
            if table is stock_items and totals_guard is not None:
                condition = condition & totals_guard
            change = {name: table.c[name] + delta for name, delta in deltas.items() if delta}
            await self._one(table, condition, change | {"updated_at": at}, sku)

    async def _one(
        self, table: Table, condition: ColumnElement[bool], change: dict[str, Any], sku: str
    ) -> None:
        result = await self._conn.execute(update(table).where(condition).values(**change))
        if result.rowcount != 1:
            raise ConcurrencyConflict(f"the stock of {sku} changed without its lock")


def ledger_rows(event: DomainEvent) -> list[dict[str, Any]]:
    """The movement as the append-only ledger records it (a transfer: out, then in)."""
    assert isinstance(event, ev.StockMovement)
    row: dict[str, Any] = {
        "sku": event.sku,
        "recorded_at": event.occurred_at,
        "on_hand_delta": 0,
        "reserved_delta": 0,
        "backordered_delta": 0,
        "reservation_id": getattr(event, "reservation_id", None),
        "order_id": getattr(event, "order_id", None),
        "actor_id": getattr(event, "actor_id", None),
        "reason": None,
        "location": getattr(event, "location", None),
    }
    match event:
        case ev.StockReceived(quantity=quantity):
            return [row | {"movement": "receive", "on_hand_delta": quantity}]
        case ev.StockAdjusted(delta=delta, reason=reason):
            return [row | {"movement": "adjust", "on_hand_delta": delta, "reason": reason}]
        case ev.StockReserved(quantity=q, backordered=b):
            return [row | {"movement": "reserve", "reserved_delta": q - b, "backordered_delta": b}]
        case ev.StockReleased(quantity=q, backordered=b, reason=reason):
            movement = "expire" if reason == "expired" else "release"
            return [
                row
                | {"movement": movement, "reserved_delta": b - q, "backordered_delta": -b}
                | ({"reason": "reservation expired"} if movement == "expire" else {})
            ]
        case ev.StockCommitted(quantity=q, backordered=b):
            deltas = {"on_hand_delta": -q, "reserved_delta": -q, "backordered_delta": -b}
            return [row | {"movement": "commit"} | deltas]
        case ev.StockTransferred(quantity=q, from_location=source, to_location=target):
            moved = {"movement": "transfer", "reason": f"{source} -> {target}"}
            return [
                row | moved | {"on_hand_delta": -q, "location": source},
                row | moved | {"on_hand_delta": q, "location": target},
            ]
        case ev.StockRestocked(quantity=q):
            return [row | {"movement": "restock", "on_hand_delta": q, "reason": "returned"}]
        case ev.StockWrittenOff(quantity=q):
            return [row | {"movement": "write_off", "reason": f"{q} returned, written off"}]
        case ev.BackorderFilled(quantity=q):
            return [row | {"movement": "fill", "reserved_delta": q, "backordered_delta": -q}]
        case ev.BackorderPolicySet():
            return []  # a rule, not a movement of units
