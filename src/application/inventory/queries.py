"""Inventory's reads for staff: a SKU's level and its ledger."""

from application.inventory.ports import StockReader
from application.inventory.views import LedgerEntry
from application.shared.pagination import Page
from domain.inventory.errors import UnknownSku
from domain.inventory.values import StockLevel
from domain.shared.sku import Sku


class InventoryQueries:
    """What routes read of inventory."""

    def __init__(self, *, stock: StockReader) -> None:
        self._stock = stock

    async def level(self, sku: str) -> StockLevel:
        level = await self._stock.level(Sku.parse(sku))
        if level is None:
            raise UnknownSku(f"no stock recorded for {sku}")
        return level

    async def ledger(self, sku: str, *, limit: int, cursor: str | None) -> Page[LedgerEntry]:
        return await self._stock.ledger(Sku.parse(sku), limit=limit, cursor=cursor)
