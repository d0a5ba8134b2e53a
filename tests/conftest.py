"""Fixtures shared by integration and e2e tests: real PostgreSQL and Redis.

DATABASE_URL / REDIS_URL are used when set; otherwise embedded servers are started under
`.agora/test/`. Each run works in a fresh database and under its own Redis key prefix, so it
never touches anyone's data. Unit tests request none of these and stay in-memory."""

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from redis.asyncio import Redis
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.settings import (
    AppSettings,
    AuthSettings,
    DatabaseSettings,
    HttpSettings,
    RedisSettings,
    Settings,
)
from infrastructure.db.engine import build_engine
from infrastructure.db.migrations import upgrade_to_head
from infrastructure.embedded import EmbeddedServices
from infrastructure.redis_client import build_redis

TEST_DATA_DIR = Path(__file__).resolve().parents[1] / ".agora" / "test"
TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"


@pytest.fixture(scope="session")
def embedded() -> Iterator[EmbeddedServices]:
    services = EmbeddedServices()
    yield services
    services.close()


@pytest.fixture(scope="session")
def server_url(embedded: EmbeddedServices) -> str:
    """A PostgreSQL server URL (any database on it) that the run may create databases on."""
    return os.environ.get("DATABASE_URL") or embedded.postgres(TEST_DATA_DIR / "postgres")


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """A fresh, migrated database for this run, dropped at the end."""
    name = f"agora_test_{uuid.uuid4().hex[:12]}"
    admin = make_url(server_url)
    asyncpg_dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    asyncio.run(_create_database(asyncpg_dsn, name))
    url = admin.set(database=name).render_as_string(hide_password=False)
    upgrade_to_head(url)
    yield url
    asyncio.run(_drop_database(asyncpg_dsn, name))


async def _create_database(dsn: str, name: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop_database(dsn: str, name: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def redis_url(embedded: EmbeddedServices) -> str:
    return os.environ.get("REDIS_URL") or embedded.redis(TEST_DATA_DIR / "redis")


@pytest.fixture(scope="session")
def redis_prefix() -> str:
    return f"agora-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
async def redis(redis_url: str, redis_prefix: str) -> AsyncIterator[Redis]:
    client = build_redis(redis_url)
    yield client
    async for key in client.scan_iter(match=f"{redis_prefix}*"):
        await client.delete(key)
    await client.aclose()


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
async def clean_database(engine: AsyncEngine) -> None:
    """Each test starts with no accounts, API keys or webhooks, and an empty catalog."""
    async with engine.begin() as conn:
        await conn.exec_driver_sql(
            "TRUNCATE users, login_sessions, refresh_tokens,"
            " products, product_images, categories,"
            " api_keys, webhook_subscriptions, webhook_deliveries CASCADE"
        )


def make_settings(
    *, database_url: str, redis_url: str, redis_prefix: str, **auth: object
) -> Settings:
    """Test settings: real services, a fixed secret, and login limits loose unless a test
    tightens them."""
    auth_fields: dict[str, object] = {
        "jwt_secret": TEST_JWT_SECRET,
        "login_limit_per_ip": "1000/minute",
        "login_limit_per_account": "1000/minute",
    } | auth
    return Settings(
        app=AppSettings(env="test"),
        database=DatabaseSettings(url=database_url, pool_size=5),
        redis=RedisSettings(url=redis_url, key_prefix=f"{redis_prefix}-{uuid.uuid4().hex[:6]}"),
        auth=AuthSettings(**auth_fields),  # type: ignore[arg-type]
        http=HttpSettings(max_body_bytes=4096),
    )


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """Bootstrap servers of a real Kafka-protocol broker (librdkafka's mock cluster)."""
    helper = subprocess.Popen(  # noqa: S603 - our own helper script
        [sys.executable, str(Path(__file__).with_name("kafka_broker.py"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert helper.stdout is not None
    bootstrap = helper.stdout.readline().strip()
    assert bootstrap, "the mock Kafka cluster did not start"
    yield bootstrap
    assert helper.stdin is not None
    helper.stdin.close()
    helper.wait(timeout=30)
