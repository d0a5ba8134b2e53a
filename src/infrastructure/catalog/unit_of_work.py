"""The catalog unit of work: products' and categories' changes with their events."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.shared.events import DomainEvent
from infrastructure.catalog.cache import ProductCache
from infrastructure.catalog.event_types import CATEGORY_STREAM, PRODUCT_STREAM
from infrastructure.catalog.repositories import SqlCategoryRepository, SqlProductRepository
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore


class SqlCatalogUnitOfWork(SqlUnitOfWork):
    products: SqlProductRepository
    categories: SqlCategoryRepository

    def __init__(
        self, engine: AsyncEngine, registry: EventRegistry, cache: ProductCache | None = None
    ) -> None:
        super().__init__(engine, registry)
        self._cache = cache
        self._recorded: dict[str, list[DomainEvent]] = {}
        self._changed: set[UUID] = set()
        self._recorded_any = False

    async def commit(self) -> None:
        await super().commit()
        if self._cache is not None and (self._changed or self._recorded_any):
            # The writer's next read must not see the old page (the subscriber repeats this).
            await self._cache.invalidate_quietly(self._changed)

    def record(self, stream_id: str, event: DomainEvent) -> None:
        self._recorded.setdefault(stream_id, []).append(event)

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.products = SqlProductRepository(conn)
        self.categories = SqlCategoryRepository(conn)
        self._recorded = {}
        self._changed, self._recorded_any = set(), False

    async def _publish(self, events: EventStore) -> None:
        recorded, self._recorded = self._recorded, {}
        batches = [(p.id, p.collect_events()) for p in self.products.seen]
        self._changed = {product_id for product_id, new in batches if new}
        self._recorded_any = bool(recorded)
        await events.append_outbox(
            [(PRODUCT_STREAM, f"product-{product_id}", new) for product_id, new in batches]
            + [(CATEGORY_STREAM, stream_id, new) for stream_id, new in recorded.items()]
        )
