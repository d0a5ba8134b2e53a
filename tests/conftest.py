"""Fixtures shared by integration, contract and e2e tests: real PostgreSQL, Redis and a
Kafka-protocol broker.

DATABASE_URL / REDIS_URL are used when set; otherwise embedded servers are started under
`.agora/test/`, and stopped at the end: the run fails if one is left running. The run migrates
one template database; every test that asks for a database gets a fresh copy of it (CREATE
DATABASE ... TEMPLATE), dropped afterwards, so no test sees another's rows, events or
checkpoints. Redis keys are prefixed per run and per test. Unit tests
request none of these and stay in memory."""

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.settings import Settings
from infrastructure.db.engine import build_engine
from infrastructure.db.migrations import upgrade_to_head
from infrastructure.embedded import EmbeddedServices
from infrastructure.redis.client import build_redis
from tests.support.databases import (
    admin_dsn,
    database_on,
    execute,
    fresh_database,
    unique_name,
)
from tests.support.settings import settings_for

TEST_DATA_DIR = Path(__file__).resolve().parents[1] / ".agora" / "test"


@pytest.fixture(scope="session")
def embedded() -> Iterator[EmbeddedServices]:
    """Embedded servers for a run without URLs; the run fails if any outlives it."""
    services = EmbeddedServices()
    yield services
    services.close()
    assert services.still_running() == [], "embedded servers still running after the run"


@pytest.fixture(scope="session")
def server_url(embedded: EmbeddedServices) -> str:
    """A PostgreSQL server URL (any database on it) that the run may create databases on."""
    return os.environ.get("DATABASE_URL") or embedded.postgres(TEST_DATA_DIR / "postgres")


@pytest.fixture(scope="session")
def template_database(server_url: str) -> Iterator[str]:
    """One migrated database for the run, never connected to after: tests copy it."""
    name = unique_name("template")
    asyncio.run(execute(admin_dsn(server_url), f'CREATE DATABASE "{name}"'))
    upgrade_to_head(database_on(server_url, name))
    yield name
    asyncio.run(execute(admin_dsn(server_url), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def database_url(server_url: str, template_database: str) -> AsyncIterator[str]:
    """A fresh, migrated database for this test alone."""
    async with fresh_database(server_url, template_database) as url:
        yield url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def redis_url(embedded: EmbeddedServices) -> str:
    return os.environ.get("REDIS_URL") or embedded.redis(TEST_DATA_DIR / "redis")


@pytest.fixture
def redis_prefix() -> str:
    """Every key this test writes starts with it; they are deleted afterwards."""
    return unique_name("redis").replace("_", "-")


@pytest.fixture
async def redis(redis_url: str, redis_prefix: str) -> AsyncIterator[Redis]:
    client = build_redis(redis_url)
    yield client
    async for key in client.scan_iter(match=f"{redis_prefix}*"):
        await client.delete(key)
    await client.aclose()


@pytest.fixture
def settings(database_url: str, redis_url: str, redis_prefix: str) -> Settings:
    """Test settings on this test's database and Redis prefix."""
    return settings_for(database_url=database_url, redis_url=redis_url, redis_prefix=redis_prefix)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """Bootstrap servers of a real Kafka-protocol broker (librdkafka's mock cluster)."""
    script = Path(__file__).with_name("support") / "kafka_broker.py"
    helper = subprocess.Popen(  # noqa: S603 - our own helper script
        [sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert helper.stdout is not None
    bootstrap = helper.stdout.readline().strip()
    assert bootstrap, "the mock Kafka cluster did not start"
    yield bootstrap
    assert helper.stdin is not None
    helper.stdin.close()
    helper.wait(timeout=30)
