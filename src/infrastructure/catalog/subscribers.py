"""Catalog's subscribers of the event log: the cache invalidator."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from domain.catalog.category import Category
from domain.catalog.product import Product
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.subscribers import FailurePolicy, Interest
from infrastructure.redis.catalog_cache import ProductCache

CATALOG_STREAMS = (Product.stream_type, Category.stream_type)


class CatalogCacheInvalidator:
    """Subscriber: every catalog event drops the product's page and all list pages."""

    name = "catalog-cache"
    on_failure = FailurePolicy.RETRY  # Redis will come back; until then reads bypass it
    interest = Interest.of(stream_types=CATALOG_STREAMS)

    def __init__(self, cache: ProductCache) -> None:
        self._cache = cache

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        relevant = [e for e in events if e.stream_type in CATALOG_STREAMS]
        if relevant:
            ids = {
                UUID(str(e.payload["product_id"])) for e in relevant if "product_id" in e.payload
            }
            await self._cache.invalidate(ids)
