"""The inventory read side: Core selects into DTOs."""

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from application.inventory.views import LedgerEntry, LocationView
from application.shared.pagination import (
    Page,
    decode_position_cursor,
    encode_position_cursor,
    page_of,
)
from application.shared.views import view_of
from domain.inventory.stock import Reservation
from domain.inventory.values import BackorderPolicy, LocationLevel, ReservationStatus, StockLevel
from domain.shared.sku import Sku
from infrastructure.inventory.tables import (
    stock_items,
    stock_ledger,
    stock_levels,
    stock_locations,
    stock_reservations,
)


class SqlStockReader:
    """The StockReader port over the stock tables."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def level(self, sku: Sku) -> StockLevel | None:
        query = select(stock_items).where(stock_items.c.sku == sku.value)
        per_location = (
            select(stock_levels)
            .where(stock_levels.c.sku == sku.value)
            .order_by(stock_levels.c.location)
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
            levels = (await conn.execute(per_location)).all()
        if row is None:
            return None
        return StockLevel(
            sku.value,
            row.on_hand,
            row.reserved,
            locations=tuple(
                LocationLevel(lv.location, lv.on_hand, lv.reserved, lv.backordered) for lv in levels
            ),
            backordered=row.backordered,
            policy=BackorderPolicy(row.backorder_policy),
            backorder_limit=row.backorder_limit,
        )

    async def locations(self) -> list[LocationView]:
        query = select(stock_locations).order_by(stock_locations.c.code)
        async with self._engine.connect() as conn:
            return [view_of(LocationView, row) for row in await conn.execute(query)]

    async def location(self, code: str) -> LocationView | None:
        query = select(stock_locations).where(stock_locations.c.code == code)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else view_of(LocationView, row)

    async def held(self, order_id: UUID) -> list[Reservation]:
        r = stock_reservations.c
        query = (
            select(stock_reservations)
            .where(r.order_id == order_id, r.status == ReservationStatus.HELD)
            .order_by(r.sku, r.location)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [view_of(Reservation, row, status=ReservationStatus.HELD) for row in rows]

    async def ledger(self, sku: Sku, *, limit: int, cursor: str | None) -> Page[LedgerEntry]:
        query = (
            select(stock_ledger)
            .where(stock_ledger.c.sku == sku.value)
            .order_by(stock_ledger.c.id)
            .limit(limit + 1)
        )
        if cursor is not None:
            query = query.where(stock_ledger.c.id > decode_position_cursor(cursor))
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return page_of(
            rows,
            limit,
            item=lambda r: view_of(LedgerEntry, r),
            cursor=lambda r: encode_position_cursor(r.id),
        )
