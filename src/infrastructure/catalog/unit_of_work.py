"""The catalog unit of work: products, categories and product types with their events in one
transaction; after the commit, the cached pages they appear on are dropped."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.catalog.product import Product
from infrastructure.catalog.product_types import SqlProductTypeRepository
from infrastructure.catalog.repositories import SqlCategoryRepository, SqlProductRepository
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore, NewEvents
from infrastructure.redis.catalog_cache import ProductCache


class SqlCatalogUnitOfWork(SqlUnitOfWork):
    """Opened per command by the handler."""

    products: SqlProductRepository
    categories: SqlCategoryRepository
    product_types: SqlProductTypeRepository

    def __init__(
        self, engine: AsyncEngine, registry: EventRegistry, cache: ProductCache | None = None
    ) -> None:
        super().__init__(engine, registry)
        self._cache = cache

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.products = SqlProductRepository(conn, self.seen)
        self.categories = SqlCategoryRepository(conn, self.seen)
        self.product_types = SqlProductTypeRepository(conn, self.seen)

    async def _committed(self, appended: list[NewEvents]) -> None:
        if self._cache is not None and any(stream.events for stream in appended):
            # The writer's next read must not see the old page (the subscriber repeats this).
            changed = {
                UUID(stream.stream_id.removeprefix("product-"))
                for stream in appended
                if stream.stream_type == Product.stream_type and stream.events
            }
            await self._cache.invalidate_quietly(changed)
