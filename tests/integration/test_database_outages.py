"""The engine tells an outage from a bug: a connection refused or dropped is DatabaseUnavailable
(503 over HTTP, a retry in the worker); a bad statement keeps its own exception (500)."""

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared.errors import DatabaseUnavailable
from infrastructure.db.engine import asyncpg_dsn, build_engine
from infrastructure.db.transient import is_transient


async def test_a_refused_connection_is_database_unavailable() -> None:
    engine = build_engine("postgresql://postgres@127.0.0.1:1/postgres", pool_size=1)
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    assert raised.value.reason == "unreachable"
    assert is_transient(raised.value)


async def test_a_terminated_backend_is_database_unavailable(
    engine: AsyncEngine, database_url: str
) -> None:
    admin = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        async with engine.connect() as conn:
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
            with pytest.raises(DatabaseUnavailable) as raised:
                await conn.execute(text("SELECT pg_sleep(0.2)"))
    finally:
        await admin.close()
    assert raised.value.reason == "disconnected"
    async with engine.connect() as conn:  # the pool replaces the dead connection
        assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1


async def test_a_bad_statement_is_not_an_outage(engine: AsyncEngine) -> None:
    with pytest.raises(ProgrammingError):
        async with engine.connect() as conn:
            await conn.execute(text("SELECT no_such_column FROM event_log"))


async def test_no_connection_within_the_pool_timeout_is_database_unavailable(
    database_url: str,
) -> None:
    engine = build_engine(database_url, pool_size=1, max_overflow=0, pool_timeout_seconds=0.1)
    try:
        async with engine.connect():
            with pytest.raises(DatabaseUnavailable) as raised:
                async with engine.connect():
                    pass
    finally:
        await engine.dispose()
    assert raised.value.reason == "timeout"


async def test_a_pooled_connection_the_server_closed_is_replaced_before_it_is_lent(
    engine: AsyncEngine, database_url: str
) -> None:
    admin = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        async with engine.connect() as conn:
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        # The pooled connection's server goes away while it is idle (a restart, an idle timeout).
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
        for _ in range(100):  # bounded: until asyncpg has seen its socket close
            if not await admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid
            ):
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        async with engine.connect() as conn:  # no round trip spent on a ping, and no 503
            assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one() != pid
    finally:
        await admin.close()
