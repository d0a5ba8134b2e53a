"""Redis hung (it accepts connections and never answers): after the first timeouts the circuit
breaker opens, and catalog reads and logins stop waiting for it. They are served from PostgreSQL
(the login throttle fails open, ADR 0018) without one more call reaching the hung server."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from agora.settings import RedisSettings, Settings
from tests.support.servers import SseReader, order_stream, served
from tests.support.settings import settings_for
from tests.support.shop import (
    OrderingShop,
    Shop,
    ordering_settings,
    running_app,
    running_ordering_shop,
)
from tests.support.tcp_proxy import TcpProxy

THRESHOLD = 2


def through(proxy: TcpProxy, database_url: str, redis_prefix: str) -> Settings:
    """Settings whose Redis is reached through `proxy`, with a short timeout (only to keep the
    tests short; nothing is timed) and a circuit that opens after THRESHOLD of them."""
    url = f"redis://{proxy.address}/0"
    settings = settings_for(database_url=database_url, redis_url=url, redis_prefix=redis_prefix)
    redis = RedisSettings(
        url=url,
        key_prefix=redis_prefix,
        timeout_seconds=0.2,
        circuit_threshold=THRESHOLD,
        circuit_reset_seconds=600,
    )
    return settings.model_copy(update={"redis": redis})


@asynccontextmanager
async def shop_on_hung_redis(
    database_url: str, redis_prefix: str
) -> AsyncIterator[tuple[Shop, TcpProxy]]:
    async with TcpProxy(hung=True) as hung:
        settings = through(hung, database_url, redis_prefix)
        async with running_app(settings) as (app, client):
            yield Shop(app=app, client=client, settings=settings), hung


async def test_catalog_reads_stop_calling_a_hung_redis_after_the_first_timeouts(
    database_url: str, redis_prefix: str
) -> None:
    async with shop_on_hung_redis(database_url, redis_prefix) as (shop, hung):
        for _ in range(THRESHOLD):
            response = await shop.client.get("/api/v1/products")
            assert response.status_code == 200, response.text
        reached = hung.received
        assert reached >= THRESHOLD  # the first reads did try Redis

        for _ in range(5):
            response = await shop.client.get("/api/v1/products?q=teapot")
            assert response.status_code == 200, response.text
            assert response.json()["items"] == []
        assert hung.received == reached

        ready = await shop.client.get("/health/ready")  # probes Redis itself, not the circuit
        assert ready.status_code == 503
        assert ready.json()["reasons"] == {"redis": "timeout"}


async def test_logins_stop_calling_a_hung_redis_and_fail_open(
    database_url: str, redis_prefix: str
) -> None:
    async with shop_on_hung_redis(database_url, redis_prefix) as (shop, hung):
        assert (await shop.register("ada@example.com")).status_code == 201
        for _ in range(THRESHOLD):
            assert (await shop.log_in("ada@example.com")).status_code == 200
        reached = hung.received
        assert reached >= THRESHOLD

        for _ in range(3):
            assert (await shop.log_in("ada@example.com")).status_code == 200
        assert (await shop.log_in("ada@example.com", "wrong-password-123")).status_code == 401
        assert hung.received == reached


@asynccontextmanager
async def ordering_shop_on_redis_proxy(
    database_url: str, redis_url: str, redis_prefix: str, *, heartbeat_seconds: float
) -> AsyncIterator[tuple[OrderingShop, TcpProxy, str]]:
    """An ordering shop (worker in-process) whose Redis answers through a proxy the test can
    hang, served over TCP for its streams: the shop, the proxy and the base URL."""
    async with TcpProxy(redis_url.removeprefix("redis://").split("/")[0]) as proxy:
        proxy.up = True
        settings = ordering_settings(
            through(proxy, database_url, redis_prefix),
            notifications={"heartbeat_seconds": heartbeat_seconds},
        )
        async with running_ordering_shop(settings) as shop, served(shop.app) as served_at:
            yield shop, proxy, served_at


async def assert_stream_refused(served_at: str, order_id: str, token: str) -> None:
    """A new stream is answered 503 `live_updates_unavailable`, not 200 and silence."""
    async with order_stream(served_at, order_id, token) as opened:
        assert opened.status_code == 503
        await opened.aread()
        assert opened.json()["code"] == "live_updates_unavailable"


async def test_a_stream_is_refused_once_the_redis_circuit_opens_after_the_feed_subscribed(
    database_url: str, redis_url: str, redis_prefix: str
) -> None:
    """The feed's subscription was made while Redis answered; then Redis hangs and the catalog
    opens the circuit. A new stream is refused as everything else stops calling Redis, though
    the feed's own listener has not found out yet (its ping is a heartbeat away)."""
    async with ordering_shop_on_redis_proxy(
        database_url, redis_url, redis_prefix, heartbeat_seconds=300
    ) as (shop, proxy, served_at):
        customer, order_id = await shop.pending_order()
        async with order_stream(served_at, order_id, customer) as first:
            assert first.status_code == 200  # subscribed through the proxy

        proxy.hung = True
        for _ in range(THRESHOLD):
            assert (await shop.client.get("/api/v1/products")).status_code == 200

        await assert_stream_refused(served_at, order_id, customer)


async def test_a_subscription_whose_redis_stops_answering_is_lost_and_new_streams_refused(
    database_url: str, redis_url: str, redis_prefix: str
) -> None:
    """A hung Redis never closes the pub/sub connection: only a PING that gets no PONG tells.
    The open stream ends (its client resumes with Last-Event-ID) and new ones get 503."""
    async with ordering_shop_on_redis_proxy(
        database_url, redis_url, redis_prefix, heartbeat_seconds=0.3
    ) as (shop, proxy, served_at):
        customer, order_id = await shop.pending_order()
        async with order_stream(served_at, order_id, customer) as stream:
            assert stream.status_code == 200
            events = SseReader(stream)
            assert [e.id for e in await events.next(2)] == ["1", "2"]

            proxy.hung = True
            with pytest.raises(StopAsyncIteration):  # the stream ends; heartbeats do not go on
                await events.next(10_000, seconds=10)
        assert proxy.received > 0  # the feed's ping reached the hung server

        await assert_stream_refused(served_at, order_id, customer)
