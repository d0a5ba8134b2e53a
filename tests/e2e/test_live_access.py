"""Live streams follow the caller's access: each heartbeat checks the session, the permission
and the order's visibility again, busy or idle; streams per user are capped; a stream that
cannot be live is refused before it starts."""

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Literal

import httpx
import pytest
import websockets
from redis.asyncio import Redis
from sqlalchemy.engine import make_url
from websockets.exceptions import ConnectionClosed

from agora.settings import DatabaseSettings, RedisSettings, Settings
from domain.identity.values import Role
from infrastructure.redis.order_feed import channel, encode
from tests.support.servers import SseReader, free_port, order_stream, served
from tests.support.shop import (
    OrderingShop,
    OrderingShopFactory,
    bearer,
    ordering_settings,
    running_app,
    running_ordering_shop,
)
from tests.support.tcp_proxy import TcpProxy

SHORT_HEARTBEAT = {"heartbeat_seconds": 0.3, "websocket_auth_seconds": 2.0}
Ending = Literal["revoke_role", "deactivate", "log_out"]
ENDINGS: list[Ending] = ["revoke_role", "deactivate", "log_out"]


@pytest.fixture
async def live_shop(ordering_shop_factory: OrderingShopFactory) -> AsyncIterator[OrderingShop]:
    async with ordering_shop_factory(notifications=SHORT_HEARTBEAT) as shop:
        yield shop


async def staff_member(shop: OrderingShop) -> str:
    return await shop.account(f"s-{uuid.uuid4().hex[:8]}@example.com", Role.STAFF)


async def end_access(shop: OrderingShop, how: Ending, token: str) -> None:
    """End what `token` may see: its staff role revoked, its account deactivated, or its
    session logged out."""
    if how == "log_out":
        response = await shop.client.post("/api/v1/auth/logout", headers=bearer(token))
        assert response.status_code == 204
        return
    admin = await shop.account(f"a-{uuid.uuid4().hex[:8]}@example.com", Role.ADMIN)
    user_id = (await shop.client.get("/api/v1/users/me", headers=bearer(token))).json()["id"]
    if how == "revoke_role":
        response = await shop.client.delete(
            f"/api/v1/users/{user_id}/roles/staff", headers=bearer(admin)
        )
    else:
        response = await shop.client.post(
            f"/api/v1/users/{user_id}/deactivate", headers=bearer(admin)
        )
    assert response.status_code == 200, response.text


@contextlib.asynccontextmanager
async def busy_feed(redis: Redis, shop: OrderingShop, order_id: str) -> AsyncIterator[None]:
    """Publish the order's first update again and again, faster than the heartbeat, so that a
    stream is never idle: its checks must not wait for a quiet moment."""
    first = (await shop.services.ordering.updates(uuid.UUID(order_id), after_version=0))[0]

    async def publish() -> None:
        for _ in range(2_000):
            await redis.publish(channel(shop.settings.redis.key_prefix), encode(first))
            await asyncio.sleep(0.05)

    task = asyncio.create_task(publish())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/api/v1/ws/orders"


async def close_code(socket: websockets.ClientConnection) -> int | None:
    """Read (and drop) updates until the server closes the socket; its close code."""
    async with asyncio.timeout(10):
        for _ in range(10_000):
            try:
                await socket.recv()
            except ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None
    raise AssertionError("the socket stayed open")


@pytest.mark.parametrize("how", ENDINGS)
async def test_the_staff_feed_closes_at_the_next_heartbeat_once_access_ends(
    live_shop: OrderingShop, redis: Redis, how: Ending
) -> None:
    shop = live_shop
    _, order_id = await shop.pending_order()
    staff = await staff_member(shop)
    async with (
        served(shop.app) as base,
        busy_feed(redis, shop, order_id),
        websockets.connect(ws_url(base)) as feed,
    ):
        await feed.send(json.dumps({"type": "authenticate", "token": staff}))
        assert json.loads(await asyncio.wait_for(feed.recv(), 5)) == {"type": "ready"}
        update = json.loads(await asyncio.wait_for(feed.recv(), 5))
        assert (update["type"], update["order_id"]) == ("order", order_id)
        await end_access(shop, how, staff)
        assert await close_code(feed) == 1008


@pytest.mark.parametrize("how", ENDINGS)
async def test_a_stream_of_a_customers_order_ends_at_the_next_heartbeat_once_access_ends(
    live_shop: OrderingShop, redis: Redis, how: Ending
) -> None:
    """Staff lose sight of a customer's order with their role: the stream checks the order's
    visibility as `GET /orders/{id}` does, not only the session."""
    shop = live_shop
    _, order_id = await shop.pending_order()
    staff = await staff_member(shop)
    async with (
        served(shop.app) as base,
        busy_feed(redis, shop, order_id),
        order_stream(base, order_id, staff) as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["cache-control"] == "private, no-store"
        events = SseReader(stream)
        assert [e.id for e in await events.next(2)] == ["1", "2"]
        await end_access(shop, how, staff)
        with pytest.raises(StopAsyncIteration):  # the server ended the stream
            await events.next(10_000, seconds=10)
    # The stream answered as the REST route now does.
    expected = 404 if how == "revoke_role" else 401
    assert (await shop.order(staff, order_id)).status_code == expected


async def test_streams_per_user_are_capped_with_429(
    ordering_shop_factory: OrderingShopFactory,
) -> None:
    async with ordering_shop_factory(notifications={"max_streams_per_user": 1}) as shop:
        customer, order_id = await shop.pending_order()
        url = f"/api/v1/orders/{order_id}/stream"
        async with served(shop.app) as base, httpx.AsyncClient(base_url=base, timeout=5) as client:
            async with client.stream("GET", url, headers=bearer(customer)) as first:
                assert first.status_code == 200
                events = SseReader(first)  # held: the stream stays open while it is
                await events.next(2)
                second = await client.get(url, headers=bearer(customer))
                assert second.status_code == 429
                assert second.headers["content-type"] == "application/problem+json"
                assert second.json()["code"] == "too_many_streams"
                assert int(second.headers["retry-after"]) >= 1
                other = await shop.customer()  # the cap is per user
                assert (await client.get(url, headers=bearer(other))).status_code == 404
            for _ in range(100):
                if shop.services.ordering.listeners == 0:
                    break
                await asyncio.sleep(0.05)
            async with client.stream("GET", url, headers=bearer(customer)) as again:
                assert again.status_code == 200


async def test_a_staff_socket_past_the_cap_is_closed_to_try_again_later(
    ordering_shop_factory: OrderingShopFactory,
) -> None:
    async with (
        ordering_shop_factory(notifications={"max_streams_per_user": 1}) as shop,
        served(shop.app) as base,
        websockets.connect(ws_url(base)) as first,
        websockets.connect(ws_url(base)) as second,
    ):
        await first.send(json.dumps({"type": "authenticate", "token": shop.staff}))
        assert json.loads(await asyncio.wait_for(first.recv(), 5)) == {"type": "ready"}
        await second.send(json.dumps({"type": "authenticate", "token": shop.staff}))
        assert await close_code(second) == 1013


async def test_a_stream_opened_while_redis_is_down_is_refused_with_503_before_it_starts(
    ordering_shop: OrderingShop,
) -> None:
    """Another API instance on the same database, whose Redis is a closed port."""
    shop = ordering_shop
    customer, order_id = await shop.pending_order()
    redis_down = shop.settings.model_copy(
        update={
            "redis": RedisSettings(
                url=f"redis://127.0.0.1:{free_port()}/0", key_prefix=shop.settings.redis.key_prefix
            )
        }
    )
    async with running_app(redis_down) as (_, client):
        response = await client.get(f"/api/v1/orders/{order_id}/stream", headers=bearer(customer))
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "live_updates_unavailable"
        assert int(response.headers["Retry-After"]) > 0
        # The order itself is read from PostgreSQL as ever.
        order = await client.get(f"/api/v1/orders/{order_id}", headers=bearer(customer))
        assert order.status_code == 200


@contextlib.asynccontextmanager
async def live_shop_behind_database_proxy(
    settings: Settings,
) -> AsyncIterator[tuple[OrderingShop, TcpProxy, str]]:
    """A live shop whose PostgreSQL is reached through a proxy the test cuts, served over TCP."""
    url = make_url(str(settings.database.url))
    async with TcpProxy(f"{url.host}:{url.port or 5432}") as proxy:
        proxy.up = True
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        tuned = ordering_settings(
            settings.model_copy(
                update={"database": DatabaseSettings(url=proxied, pool_size=2, max_overflow=0)}
            ),
            notifications=SHORT_HEARTBEAT,
        )
        async with running_ordering_shop(tuned) as shop, served(shop.app) as base:
            yield shop, proxy, base


async def test_a_database_outage_closes_the_staff_feed_to_try_again_later_not_for_good(
    settings: Settings,
) -> None:
    """1008 would tell the client its access ended (it would not reconnect); the database being
    away is an outage: 1013, at a heartbeat as at the first message."""
    async with live_shop_behind_database_proxy(settings) as (shop, proxy, base):
        async with websockets.connect(ws_url(base)) as socket:
            await socket.send(json.dumps({"type": "authenticate", "token": shop.staff}))
            assert json.loads(await asyncio.wait_for(socket.recv(), 5)) == {"type": "ready"}
            proxy.cut()
            assert await close_code(socket) == 1013

        async with websockets.connect(ws_url(base)) as socket:
            await socket.send(json.dumps({"type": "authenticate", "token": shop.staff}))
            assert await close_code(socket) == 1013


async def test_a_stream_outlives_a_database_blip_and_checks_again_at_the_next_heartbeat(
    settings: Settings,
) -> None:
    """An SSE stream ended by an outage would be reconnected to a 503, on which a browser's
    EventSource gives up for good; so a heartbeat that cannot check skips the check."""
    async with live_shop_behind_database_proxy(settings) as (shop, proxy, base):
        customer, order_id = await shop.pending_order()
        async with order_stream(base, order_id, customer) as stream:
            events = SseReader(stream)
            assert [e.id for e in await events.next(2)] == ["1", "2"]
            proxy.cut()
            assert [e.comment for e in await events.next(3)] == ["heartbeat"] * 3
            proxy.up = True
            await end_access(shop, "log_out", customer)
            with pytest.raises(StopAsyncIteration):  # checked again, and ended
                await events.next(10_000, seconds=10)
