"""The catalog unit of work: products' and categories' changes with their events."""

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.shared.events import DomainEvent
from infrastructure.catalog.event_types import CATEGORY_STREAM, PRODUCT_STREAM
from infrastructure.catalog.repositories import SqlCategoryRepository, SqlProductRepository
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore


class SqlCatalogUnitOfWork(SqlUnitOfWork):
    products: SqlProductRepository
    categories: SqlCategoryRepository

    def __init__(self, engine: AsyncEngine, registry: EventRegistry) -> None:
        super().__init__(engine, registry)
        self._recorded: dict[str, list[DomainEvent]] = {}

    def record(self, stream_id: str, event: DomainEvent) -> None:
        self._recorded.setdefault(stream_id, []).append(event)

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.products = SqlProductRepository(conn)
        self.categories = SqlCategoryRepository(conn)
        self._recorded = {}

    async def _publish(self, events: EventStore) -> None:
        recorded, self._recorded = self._recorded, {}
        await events.append_outbox(
            [(PRODUCT_STREAM, f"product-{p.id}", p.collect_events()) for p in self.products.seen]
            + [(CATEGORY_STREAM, stream_id, new) for stream_id, new in recorded.items()]
        )
