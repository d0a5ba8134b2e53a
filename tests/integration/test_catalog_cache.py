"""The catalog cache on real Redis: single-flight misses, invalidation from the event log, and
reads that survive Redis being down or hung (behind the circuit breaker)."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from application.catalog.commands import ChangePrice, CreateProduct, PublishProduct
from application.catalog.deps import CatalogDeps
from application.catalog.handlers import product as handlers
from application.catalog.ports import CatalogReader
from application.catalog.views import ProductDetails, ProductSearch, ProductSummary
from application.shared.pagination import Page
from infrastructure.catalog.attribute_rules import PydanticAttributeRules
from infrastructure.catalog.readers import SqlCatalogReader
from infrastructure.catalog.subscribers import CatalogCacheInvalidator
from infrastructure.catalog.unit_of_work import SqlCatalogUnitOfWork
from infrastructure.db.engine import asyncpg_dsn
from infrastructure.eventlog.subscriptions import RunnerConfig, SubscriptionRunner
from infrastructure.files.images import LocalImageStore
from infrastructure.redis.catalog_cache import CachedCatalogReader, ProductCache
from infrastructure.redis.client import RedisCircuit, build_redis
from tests.support.eventlog import REGISTRY
from tests.support.fakes.shared import FixedClock
from tests.support.tcp_proxy import TcpProxy


def a_circuit(*, threshold: int = 3, reset_seconds: float = 10) -> RedisCircuit:
    return RedisCircuit(threshold=threshold, reset_seconds=reset_seconds)


class SlowToAnswer(SqlCatalogReader):
    """Reads at once, then takes its time to hand the row back (a slow network, a busy loop)."""

    async def details(self, product_id: UUID, *, include_all: bool) -> ProductDetails | None:
        found = await super().details(product_id, include_all=include_all)
        await asyncio.sleep(0.2)
        return found


class CountingReader(SqlCatalogReader):
    """The real reader, counting how often it goes to PostgreSQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self.details_calls = 0

    async def details(self, product_id: UUID, *, include_all: bool) -> ProductDetails | None:
        self.details_calls += 1
        await asyncio.sleep(0.05)  # a slow query, so the concurrent misses really overlap
        return await super().details(product_id, include_all=include_all)


class CountingRenders:
    """A renderer (as the api's JSON is one), counting the views it is handed."""

    def __init__(self) -> None:
        self.calls = 0

    def product(self, product: ProductDetails) -> bytes:
        self.calls += 1
        return json.dumps({"id": str(product.id), "amount": str(product.amount)}).encode()

    def page(self, page: Page[ProductSummary]) -> bytes:
        self.calls += 1
        return json.dumps([str(item.id) for item in page.items]).encode()


async def read(reader: CatalogReader, product_id: UUID) -> dict[str, str] | None:
    """A public read of the product as the renderer above renders it."""
    found = await reader.details_rendered(
        product_id, include_all=False, render=CountingRenders().product
    )
    return None if found is None else dict(json.loads(found.body))


@pytest.fixture
async def cache(redis_url: str, redis_prefix: str) -> AsyncIterator[ProductCache]:
    client = build_redis(redis_url)
    yield ProductCache(
        client,
        circuit=a_circuit(),
        prefix=f"{redis_prefix}-{uuid.uuid4().hex[:6]}",
        ttl_seconds=60,
    )
    await client.aclose()


def deps(engine: AsyncEngine, tmp_path: Path, cache: ProductCache | None = None) -> CatalogDeps:
    return CatalogDeps(
        uow=partial(SqlCatalogUnitOfWork, engine, REGISTRY, cache),
        images=LocalImageStore(tmp_path),
        clock=FixedClock(),
        max_image_bytes=1024,
        attribute_rules=PydanticAttributeRules(),
    )


async def published(catalog: CatalogDeps, price: str = "10.00") -> ProductDetails:
    created = await handlers.create_product(
        CreateProduct(
            sku=f"C-{uuid.uuid4().hex[:8]}",
            name="Cached",
            description="",
            amount=price,
            currency="EUR",
        ),
        deps=catalog,
    )
    return await handlers.publish_product(PublishProduct(product_id=created.id), deps=catalog)


async def test_concurrent_misses_on_one_key_make_one_query(
    engine: AsyncEngine, cache: ProductCache, tmp_path: Path
) -> None:
    product = await published(deps(engine, tmp_path))
    counting = CountingReader(engine)
    reader = CachedCatalogReader(counting, cache)

    results = await asyncio.gather(*(read(reader, product.id) for _ in range(20)))

    assert {r["id"] for r in results if r is not None} == {str(product.id)}
    assert counting.details_calls == 1
    await read(reader, product.id)
    assert counting.details_calls == 1  # now a cache hit


async def test_a_hit_is_answered_with_the_stored_bytes_and_version_without_rendering(
    engine: AsyncEngine, cache: ProductCache, tmp_path: Path
) -> None:
    product = await published(deps(engine, tmp_path))
    reader = CachedCatalogReader(SqlCatalogReader(engine), cache)
    renders = CountingRenders()
    query = ProductSearch(sort="newest", limit=5)
    first = await reader.details_rendered(product.id, include_all=False, render=renders.product)
    first_page = await reader.search_rendered(query, render=renders.page)
    assert renders.calls == 2

    again = await reader.details_rendered(product.id, include_all=False, render=renders.product)
    again_page = await reader.search_rendered(query, render=renders.page)

    assert renders.calls == 2  # both answered from Redis, as stored
    assert again == first
    assert again is not None
    assert again.version == product.version
    assert again_page == first_page


async def test_an_entry_in_an_earlier_format_is_never_read_as_this_one(
    engine: AsyncEngine, cache: ProductCache, redis_url: str, tmp_path: Path
) -> None:
    product = await published(deps(engine, tmp_path))
    reader = CachedCatalogReader(SqlCatalogReader(engine), cache)
    query = ProductSearch(sort="newest", limit=5)
    # What the release before wrote under its keys: the view as JSON, not the response's bytes.
    old_product = f"{cache._prefix}:product:{product.id}:0"
    old_page = f"{cache._prefix}:list:0:" + (await cache.page(query))[0].rsplit(":", 1)[1]
    client = build_redis(redis_url)
    try:
        await client.set(old_product, json.dumps({"id": str(product.id), "amount": "99.00"}))
        await client.set(old_page, json.dumps({"items": [], "next": None}))

        found = await read(reader, product.id)
        page = await reader.search_rendered(query, render=CountingRenders().page)
    finally:
        await client.aclose()

    assert found == {"id": str(product.id), "amount": "10.00"}
    assert json.loads(page) == [str(product.id)]


async def test_staff_reads_bypass_the_cache(
    engine: AsyncEngine, cache: ProductCache, tmp_path: Path
) -> None:
    product = await published(deps(engine, tmp_path))
    counting = CountingReader(engine)
    reader = CachedCatalogReader(counting, cache)
    renders = CountingRenders()
    for _ in range(2):
        await reader.details_rendered(product.id, include_all=True, render=renders.product)
    assert counting.details_calls == 2


async def test_the_subscriber_invalidates_what_a_writer_elsewhere_changed(
    engine: AsyncEngine, database_url: str, cache: ProductCache, tmp_path: Path
) -> None:
    # A writer without the cache (another process, say): only the event log tells the cache.
    writer = deps(engine, tmp_path, cache=None)
    product = await published(writer)
    reader = CachedCatalogReader(SqlCatalogReader(engine), cache)
    invalidator = SubscriptionRunner(
        CatalogCacheInvalidator(cache),
        engine=engine,
        dsn=asyncpg_dsn(database_url),
        config=RunnerConfig(poll_interval=0.1),
    )
    while await invalidator.step():  # catch up with the log so far
        pass
    cached = await read(reader, product.id)
    assert cached is not None
    assert cached["amount"] == "10.00"

    await handlers.change_price(
        ChangePrice(
            product_id=product.id, amount="12.00", currency="EUR", expected_version=product.version
        ),
        deps=writer,
    )
    stale = await read(reader, product.id)
    assert stale is not None
    assert stale["amount"] == "10.00"  # cached, and nobody told the cache yet

    while await invalidator.step():
        pass
    fresh = await read(reader, product.id)
    assert fresh is not None
    assert fresh["amount"] == "12.00"


async def test_reads_succeed_when_redis_is_down(engine: AsyncEngine, tmp_path: Path) -> None:
    product = await published(deps(engine, tmp_path))
    dead = build_redis("redis://127.0.0.1:1/0")
    reader = CachedCatalogReader(
        SqlCatalogReader(engine),
        ProductCache(dead, circuit=a_circuit(), prefix="down", ttl_seconds=60),
    )
    found = await read(reader, product.id)
    page = await reader.search_rendered(
        ProductSearch(sort="newest", limit=5), render=CountingRenders().page
    )
    assert found is not None
    assert found["id"] == str(product.id)
    assert json.loads(page)
    await dead.aclose()


async def test_a_hung_redis_opens_the_circuit_and_reads_skip_it_until_it_answers_again(
    engine: AsyncEngine, tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    product = await published(deps(engine, tmp_path))
    circuit = a_circuit(threshold=2, reset_seconds=3)
    async with TcpProxy(redis_url.removeprefix("redis://").split("/")[0], hung=True) as proxy:
        client = build_redis(f"redis://{proxy.address}/0", timeout_seconds=0.2)
        cache = ProductCache(client, circuit=circuit, prefix=redis_prefix, ttl_seconds=60)
        reader = CountingReader(engine)
        cached = CachedCatalogReader(reader, cache)
        try:
            for _ in range(2):
                assert await read(cached, product.id) is not None
            assert await circuit.state() == "opened"
            reached = proxy.received
            for _ in range(5):
                assert await read(cached, product.id) is not None
            assert proxy.received == reached  # failed fast, straight to PostgreSQL
            assert reader.details_calls == 7

            proxy.hung, proxy.up = False, True  # Redis answers again
            for _ in range(120):  # bounded: the circuit lets a call through after its pause
                await asyncio.sleep(0.05)
                await read(cached, product.id)
                if await circuit.state() == "closed":
                    break
            assert await circuit.state() == "closed"
            calls = reader.details_calls
            await read(cached, product.id)
            assert reader.details_calls == calls  # served from Redis again
        finally:
            await client.aclose()


async def test_the_write_path_invalidates_before_the_next_read(
    engine: AsyncEngine, cache: ProductCache, tmp_path: Path
) -> None:
    catalog = deps(engine, tmp_path, cache=cache)
    product = await published(catalog)
    reader = CachedCatalogReader(SqlCatalogReader(engine), cache)
    await read(reader, product.id)
    await handlers.change_price(
        ChangePrice(
            product_id=product.id, amount="11.00", currency="EUR", expected_version=product.version
        ),
        deps=catalog,
    )
    fresh = await read(reader, product.id)
    assert fresh is not None
    assert fresh["amount"] == "11.00"


async def test_a_load_that_began_before_a_change_cannot_cache_the_old_price(
    engine: AsyncEngine, cache: ProductCache, tmp_path: Path
) -> None:
    catalog = deps(engine, tmp_path, cache=cache)
    product = await published(catalog)
    reader = CachedCatalogReader(SlowToAnswer(engine), cache)

    stale_read = asyncio.create_task(read(reader, product.id))
    await asyncio.sleep(0.05)  # the miss has read the old row and is about to cache it
    await handlers.change_price(
        ChangePrice(
            product_id=product.id, amount="15.00", currency="EUR", expected_version=product.version
        ),
        deps=catalog,
    )
    await stale_read
    fresh = await read(reader, product.id)
    assert fresh is not None
    assert fresh["amount"] == "15.00"


async def test_a_cancelled_reader_does_not_fail_the_others_waiting_on_its_query(
    engine: AsyncEngine, cache: ProductCache, tmp_path: Path
) -> None:
    product = await published(deps(engine, tmp_path))
    reader = CachedCatalogReader(CountingReader(engine), cache)
    first = asyncio.create_task(read(reader, product.id))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(read(reader, product.id))
    await asyncio.sleep(0.01)
    first.cancel()  # its client went away
    found = await second
    assert found is not None
    assert found["id"] == str(product.id)
