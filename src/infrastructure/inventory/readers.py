"""The inventory read side: Core selects into DTOs."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from application.inventory.views import LedgerEntry
from application.shared.pagination import (
    Page,
    decode_position_cursor,
    encode_position_cursor,
    page_of,
)
from application.shared.views import view_of
from domain.inventory.values import StockLevel
from domain.shared.sku import Sku
from infrastructure.inventory.tables import stock_items, stock_ledger


class SqlStockReader:
    """The StockReader port over the stock tables."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def level(self, sku: Sku) -> StockLevel | None:
        query = select(stock_items.c.on_hand, stock_items.c.reserved).where(
            stock_items.c.sku == sku.value
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else StockLevel(sku.value, row.on_hand, row.reserved)

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
