"""Redis hung (it accepts connections and never answers): after the first timeouts the circuit
breaker opens, and catalog reads and logins stop waiting for it. They are served from PostgreSQL
(the login throttle fails open, ADR 0018) without one more call reaching the hung server."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from agora.settings import RedisSettings
from tests.support.settings import settings_for
from tests.support.shop import Shop, running_app
from tests.support.tcp_proxy import TcpProxy

THRESHOLD = 2


@asynccontextmanager
async def shop_on_hung_redis(
    database_url: str, redis_prefix: str
) -> AsyncIterator[tuple[Shop, TcpProxy]]:
    async with TcpProxy(hung=True) as hung:
        url = f"redis://{hung.address}/0"
        settings = settings_for(database_url=database_url, redis_url=url, redis_prefix=redis_prefix)
        settings = settings.model_copy(
            update={
                "redis": RedisSettings(
                    url=url,
                    key_prefix=redis_prefix,
                    timeout_seconds=0.2,  # only to keep the test short; nothing is timed
                    circuit_threshold=THRESHOLD,
                    circuit_reset_seconds=600,
                )
            }
        )
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
