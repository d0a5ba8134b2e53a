"""Inventory's reads for staff: a SKU's level and its ledger, the stock locations; and for
ordering, whether a shipment's units are held where it leaves from."""

from collections.abc import Sequence
from uuid import UUID

from application.inventory.ports import StockReader
from application.inventory.views import LedgerEntry, LocationView
from application.shared.pagination import Page
from domain.inventory.errors import UnknownSku
from domain.inventory.settling import shipment_plan, why_not
from domain.inventory.values import StockLevel
from domain.shared.sku import Sku


class InventoryQueries:
    """What routes (and ordering's Stock port) read of inventory."""

    def __init__(self, *, stock: StockReader) -> None:
        self._stock = stock

    async def level(self, sku: str) -> StockLevel:
        level = await self._stock.level(Sku.parse(sku))
        if level is None:
            raise UnknownSku(f"no stock recorded for {sku}")
        return level

    async def ledger(self, sku: str, *, limit: int, cursor: str | None) -> Page[LedgerEntry]:
        return await self._stock.ledger(Sku.parse(sku), limit=limit, cursor=cursor)

    async def locations(self) -> list[LocationView]:
        return await self._stock.locations()

    async def location(self, code: str) -> LocationView | None:
        return await self._stock.location(code)

    async def shipment_shortfall(
        self, order_id: UUID, lines: Sequence[tuple[str, int]], location: str | None
    ) -> str | None:
        """None when the order's held units cover the lines at `location` (None: anywhere)."""
        held = await self._stock.held(order_id)
        _, short = shipment_plan(held, lines, location)
        return why_not(short, location)
