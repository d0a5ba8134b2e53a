"""Catalog reads served through Redis (the catalog-cache subscriber keeps it honest).

- Product pages are cached per product under the product's version counter, list pages per
  query under a generation counter that any catalog change bumps. Invalidating is an INCR: a
  load that began before it can only write under the old key, which nobody reads any more.
- Concurrent misses on one key in a process share one database query (single-flight).
- Invalidation happens right after a command commits (so the writer's next read is fresh) and
  again from an event-log subscriber (which also covers a reader that refilled the cache with
  what it read just before the commit). A TTL bounds whatever both could miss.
- If Redis fails, reads go to PostgreSQL; the failure is logged and never reaches the client.
  Every call goes through the Redis circuit breaker, so a hung Redis costs the first few reads
  a timeout and the rest none."""

import asyncio
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import asdict
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from application.catalog.ports import CatalogReader
from application.catalog.views import CategoryView, ProductDetails, ProductSearch, ProductSummary
from application.shared.pagination import Page
from infrastructure.eventlog.registry import from_json_value, to_json_value
from infrastructure.redis.client import RedisCircuit

log = logging.getLogger(__name__)
T = TypeVar("T")


class ProductCache:
    """Keys, TTL and invalidation; every Redis error (an open circuit included) surfaces as
    RedisError to the caller."""

    def __init__(
        self, redis: Redis, *, circuit: RedisCircuit, prefix: str, ttl_seconds: int
    ) -> None:
        self._redis = redis
        self._circuit = circuit
        self._prefix = f"{prefix}:catalog"
        self._ttl = ttl_seconds

    async def product_key(self, product_id: UUID) -> str:
        async with self._circuit.guard():
            raw = await self._redis.get(f"{self._prefix}:product-version:{product_id}")
        return f"{self._prefix}:product:{product_id}:{int(raw or 0)}"

    async def list_key(self, query: ProductSearch) -> str:
        async with self._circuit.guard():
            raw = await self._redis.get(f"{self._prefix}:generation")
        digest = hashlib.sha256(repr(sorted(asdict(query).items())).encode()).hexdigest()[:32]
        return f"{self._prefix}:list:{int(raw or 0)}:{digest}"

    async def get(self, key: str) -> Any | None:
        async with self._circuit.guard():
            raw = await self._redis.get(key)
        return None if raw is None else json.loads(raw)

    async def put(self, key: str, value: Any) -> None:
        async with self._circuit.guard():
            await self._redis.set(key, json.dumps(value), ex=self._ttl)

    async def invalidate(self, product_ids: Iterable[UUID]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for product_id in product_ids:
            pipe.incr(f"{self._prefix}:product-version:{product_id}")
        pipe.incr(f"{self._prefix}:generation")
        async with self._circuit.guard():
            await pipe.execute()

    async def invalidate_quietly(self, product_ids: Iterable[UUID]) -> None:
        try:
            await self.invalidate(product_ids)
        except RedisError:
            log.warning("catalog cache invalidation failed; the subscriber and TTL will catch up")


class CachedCatalogReader:
    """The catalog reader, with public reads cached. Staff reads (include_all) bypass it."""

    def __init__(self, inner: CatalogReader, cache: ProductCache) -> None:
        self._inner = inner
        self._cache = cache
        self._in_flight: dict[str, asyncio.Future[Any]] = {}

    async def search(self, query: ProductSearch) -> Page[ProductSummary]:
        if query.include_all:
            return await self._inner.search(query)

        async def load() -> Any:
            page = await self._inner.search(query)
            return {"items": [to_json_value(i) for i in page.items], "next": page.next_cursor}

        cached = await self._through(lambda: self._cache.list_key(query), load)
        return Page(
            items=[from_json_value(ProductSummary, i) for i in cached["items"]],
            next_cursor=cached["next"],
        )

    async def details(self, product_id: UUID, *, include_all: bool) -> ProductDetails | None:
        if include_all:
            return await self._inner.details(product_id, include_all=True)

        async def load() -> Any:
            found = await self._inner.details(product_id, include_all=False)
            return None if found is None else to_json_value(found)

        cached = await self._through(lambda: self._cache.product_key(product_id), load)
        return None if cached is None else from_json_value(ProductDetails, cached)

    async def categories(self) -> list[CategoryView]:
        return await self._inner.categories()

    async def image(
        self, product_id: UUID, image_id: UUID, *, include_all: bool
    ) -> tuple[str, bool] | None:
        return await self._inner.image(product_id, image_id, include_all=include_all)

    def export_rows(self) -> AsyncIterator[ProductDetails]:
        return self._inner.export_rows()

    async def _through(
        self, key_of: Callable[[], Awaitable[str]], load: Callable[[], Awaitable[T]]
    ) -> T:
        try:
            key = await key_of()
            hit = await self._cache.get(key)
        except RedisError:
            log.warning("catalog cache unavailable; reading from PostgreSQL")
            return await load()
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        value = await self._single_flight(key, load)
        try:
            if value is not None:
                await self._cache.put(key, value)
        except RedisError:
            log.warning("catalog cache unavailable; not storing")
        return value

    async def _single_flight(self, key: str, load: Callable[[], Awaitable[T]]) -> T:
        """Concurrent misses on one key share one query. It runs in its own task, so a caller
        that goes away (a client disconnects) cancels only its own wait, not the others'."""
        task = self._in_flight.get(key)
        if task is None:
            task = asyncio.ensure_future(load())
            self._in_flight[key] = task
            task.add_done_callback(partial(self._landed, key))
        result: T = await asyncio.shield(task)
        return result

    def _landed(self, key: str, task: "asyncio.Future[Any]") -> None:
        self._in_flight.pop(key, None)
        if not task.cancelled():
            task.exception()  # seen by its waiters; mark it retrieved if none are left
