"""PostgreSQL going away while the app runs: every request is answered 503 with Retry-After and a
stable code, readiness names the database and why, and the app recovers when it is back. The
outage is real: the app reaches PostgreSQL through a loopback proxy the test cuts."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy.engine import make_url

from agora.settings import DatabaseSettings
from tests.support.settings import settings_for
from tests.support.shop import PASSWORD, Shop, running_app
from tests.support.tcp_proxy import TcpProxy


@asynccontextmanager
async def shop_behind_proxy(
    database_url: str, redis_url: str, redis_prefix: str
) -> AsyncIterator[tuple[Shop, TcpProxy]]:
    url = make_url(database_url)
    async with TcpProxy(f"{url.host}:{url.port or 5432}") as proxy:
        proxy.up = True
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        settings = settings_for(
            database_url=proxied, redis_url=redis_url, redis_prefix=redis_prefix
        )
        settings = settings.model_copy(
            update={"database": DatabaseSettings(url=proxied, pool_size=2, max_overflow=0)}
        )
        async with running_app(settings) as (app, client):
            yield Shop(app=app, client=client, settings=settings), proxy


def assert_database_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["code"] == "database_unavailable"


async def test_requests_are_answered_503_with_retry_after_while_postgres_is_down(
    database_url: str, redis_url: str, redis_prefix: str
) -> None:
    async with shop_behind_proxy(database_url, redis_url, redis_prefix) as (shop, proxy):
        assert (await shop.register("ada@example.com")).status_code == 201
        assert (await shop.client.get("/api/v1/categories")).status_code == 200

        proxy.cut()  # the server goes away, pooled connections with it
        assert_database_unavailable(await shop.client.get("/api/v1/categories"))
        assert_database_unavailable(await shop.client.get("/api/v1/products?q=mug"))
        assert_database_unavailable(await shop.log_in("ada@example.com"))
        assert_database_unavailable(await shop.register("grace@example.com"))

        proxy.up = True
        assert (await shop.client.get("/api/v1/categories")).status_code == 200
        assert (await shop.log_in("ada@example.com", PASSWORD)).status_code == 200


async def test_readiness_says_the_database_is_unreachable_and_recovers(
    database_url: str, redis_url: str, redis_prefix: str
) -> None:
    async with shop_behind_proxy(database_url, redis_url, redis_prefix) as (shop, proxy):
        assert (await shop.client.get("/health/ready")).status_code == 200

        proxy.cut()
        down = await shop.client.get("/health/ready")
        assert down.status_code == 503
        body = down.json()
        assert body["status"] == "unavailable"
        assert body["checks"] == {"database": "unavailable", "redis": "ok"}
        assert body["reasons"] == {"database": "unreachable"}
        assert "Error" not in down.text  # no exception names or messages, only stable words

        proxy.up = True
        back = await shop.client.get("/health/ready")
        assert back.status_code == 200
        assert back.json()["checks"] == {"database": "ok", "redis": "ok"}
        assert back.json()["reasons"] == {}
