"""The inventory unit of work: stock changes and their events in one transaction."""

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.shared.events import DomainEvent
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore, PendingEvent
from infrastructure.inventory.event_types import STOCK_STREAM, stock_stream
from infrastructure.inventory.repository import SqlStockRepository


class SqlInventoryUnitOfWork:
    """Rolls back unless committed; recorded events are appended just before the commit."""

    stock: SqlStockRepository

    def __init__(self, engine: AsyncEngine, registry: EventRegistry) -> None:
        self._engine = engine
        self._registry = registry
        self._conn: AsyncConnection | None = None
        self._recorded: dict[str, list[DomainEvent]] = {}

    def record(self, sku: str, event: DomainEvent) -> None:
        self._recorded.setdefault(sku, []).append(event)

    async def __aenter__(self) -> Self:
        self._conn = await self._engine.connect()
        await self._conn.begin()
        self.stock = SqlStockRepository(self._conn, EventStore(self._conn, self._registry))
        self._recorded = {}
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()
            self._conn = None

    async def commit(self) -> None:
        assert self._conn is not None
        store = EventStore(self._conn, self._registry)
        for sku, events in self._recorded.items():
            # The stock row's conditional update already serialised writers of this SKU.
            await store.append(
                stream_type=STOCK_STREAM,
                stream_id=stock_stream(sku),
                events=[PendingEvent.new(e) for e in events],
                expected_version=None,
            )
        self._recorded = {}
        await self._conn.commit()
