"""Catalog reads served through Redis (the catalog-cache subscriber keeps it honest).

- Public reads are cached as the bytes the api answers with (a product's with its version, the
  ETag), so a hit builds no view, validates nothing and renders nothing.
- Product pages are cached per product under the product's version counter, list pages per
  query under a generation counter that any catalog change bumps. Invalidating is an INCR: a
  load that began before it can only write under the old key, which nobody reads any more.
  Reading the counter and the entry under it is one round trip (a small Lua script).
- Concurrent misses on one key in a process share one database query (single-flight).
- Invalidation happens right after a command commits (so the writer's next read is fresh) and
  again from an event-log subscriber (which also covers a reader that refilled the cache with
  what it read just before the commit). A TTL bounds whatever both could miss.
- If Redis fails, reads go to PostgreSQL; the failure is logged and never reaches the client.
  Every call goes through the Redis circuit breaker, so a hung Redis costs the first few reads
  a timeout and the rest none."""

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import asdict
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from application.catalog.ports import CatalogReader
from application.catalog.views import (
    CategoryView,
    ProductDetails,
    ProductSearch,
    ProductSummary,
    Render,
    RenderedProduct,
)
from application.shared.pagination import Page
from infrastructure.redis.client import RedisCircuit

log = logging.getLogger(__name__)
T = TypeVar("T", bytes, bytes | None)

# The counter names the entry: KEYS[1] is the counter, the entry is ARGV[1] .. counter .. ARGV[2].
# (The entry's key is computed in the script, which a Redis Cluster would refuse; Agora's cache
# is one Redis.) Returns the entry's key, and its value when there is one.
_LOOKUP = """
local counter = redis.call('GET', KEYS[1]) or '0'
local key = ARGV[1] .. counter .. ARGV[2]
return {key, redis.call('GET', key)}
"""


# The entries' format, in their keys: an entry another format wrote (an earlier release, a
# replica not yet redeployed) is never read as this one. The counters are shared, so a change
# invalidates the entries of every format at once. r2: the response's bytes (ADR 0024); r3: a
# product's response shows its options, variants and tax category (ADR 0030).
FORMAT = "r3"


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
        self._lookup = redis.register_script(_LOOKUP)

    async def product(self, product_id: UUID) -> tuple[str, bytes | None]:
        """The key a product's entry has now, and the entry if it is cached."""
        counter = f"{self._prefix}:product-version:{product_id}"
        return await self._get(counter, f"{self._prefix}:product:{FORMAT}:{product_id}:", "")

    async def page(self, query: ProductSearch) -> tuple[str, bytes | None]:
        """The key a list page has now, and the page if it is cached."""
        digest = hashlib.sha256(repr(sorted(asdict(query).items())).encode()).hexdigest()[:32]
        head = f"{self._prefix}:list:{FORMAT}:"
        return await self._get(f"{self._prefix}:generation", head, f":{digest}")

    async def _get(self, counter: str, head: str, tail: str) -> tuple[str, bytes | None]:
        async with self._circuit.guard():
            found = await self._lookup(keys=[counter], args=[head, tail])
        key = found[0].decode()
        return key, found[1] if len(found) > 1 else None

    async def put(self, key: str, value: bytes) -> None:
        async with self._circuit.guard():
            await self._redis.set(key, value, ex=self._ttl)

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
    """The catalog reader, with public reads cached as rendered bytes. Staff reads
    (include_all) bypass it, and so do reads of views, which nothing public asks for."""

    def __init__(self, inner: CatalogReader, cache: ProductCache) -> None:
        self._inner = inner
        self._cache = cache
        self._in_flight: dict[str, asyncio.Future[Any]] = {}

    async def search(self, query: ProductSearch) -> Page[ProductSummary]:
        return await self._inner.search(query)

    async def details(self, product_id: UUID, *, include_all: bool) -> ProductDetails | None:
        return await self._inner.details(product_id, include_all=include_all)

    async def search_rendered(
        self, query: ProductSearch, *, render: Render[Page[ProductSummary]]
    ) -> bytes:
        if query.include_all:
            return await self._inner.search_rendered(query, render=render)

        async def load() -> bytes:
            return await self._inner.search_rendered(query, render=render)

        return await self._through(lambda: self._cache.page(query), load)

    async def details_rendered(
        self, product_id: UUID, *, include_all: bool, render: Render[ProductDetails]
    ) -> RenderedProduct | None:
        if include_all:
            return await self._inner.details_rendered(product_id, include_all=True, render=render)

        async def load() -> bytes | None:
            found = await self._inner.details_rendered(product_id, include_all=False, render=render)
            return None if found is None else b"%d\n%s" % (found.version, found.body)

        stored = await self._through(lambda: self._cache.product(product_id), load)
        if stored is None:
            return None
        version, _, body = stored.partition(b"\n")
        return RenderedProduct(body=body, version=int(version))

    async def categories(self) -> list[CategoryView]:
        return await self._inner.categories()

    async def image(
        self, product_id: UUID, image_id: UUID, *, include_all: bool
    ) -> tuple[str, bool] | None:
        return await self._inner.image(product_id, image_id, include_all=include_all)

    def export_rows(self) -> AsyncIterator[ProductDetails]:
        return self._inner.export_rows()

    async def _through(
        self,
        lookup: Callable[[], Awaitable[tuple[str, bytes | None]]],
        load: Callable[[], Awaitable[T]],
    ) -> T:
        try:
            key, hit = await lookup()
        except RedisError:
            log.warning("catalog cache unavailable; reading from PostgreSQL")
            return await load()
        if hit is not None:
            return hit
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
