"""The inventory unit of work: stock changes and their events in one transaction."""

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.shared.events import DomainEvent
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore
from infrastructure.inventory.event_types import STOCK_STREAM, stock_stream
from infrastructure.inventory.repository import SqlStockRepository


class SqlInventoryUnitOfWork(SqlUnitOfWork):
    """Handlers record events per SKU; they are appended to the SKU's stream on commit."""

    stock: SqlStockRepository

    def __init__(self, engine: AsyncEngine, registry: EventRegistry) -> None:
        super().__init__(engine, registry)
        self._recorded: dict[str, list[DomainEvent]] = {}

    def record(self, sku: str, event: DomainEvent) -> None:
        self._recorded.setdefault(sku, []).append(event)

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.stock = SqlStockRepository(conn, events)
        self._recorded = {}

    async def _publish(self, events: EventStore) -> None:
        recorded, self._recorded = self._recorded, {}
        # Handlers took each SKU's stream lock first, so appends stay in commit order.
        await events.append_outbox(
            [(STOCK_STREAM, stock_stream(sku), new) for sku, new in recorded.items()]
        )
