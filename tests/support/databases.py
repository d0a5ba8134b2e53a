"""Databases for tests: one migrated template per run, and fresh copies of it."""

import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import make_url

RUN = uuid.uuid4().hex[:8]
_numbers = itertools.count()


def unique_name(kind: str = "db") -> str:
    """A name no other test of this run (or of another run) uses."""
    return f"agora_test_{RUN}_{kind}_{next(_numbers)}"


def admin_dsn(server_url: str) -> str:
    return make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)


def database_on(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@asynccontextmanager
async def fresh_database(server_url: str, template: str) -> AsyncIterator[str]:
    """A copy of the migrated template (a file copy: fast for a small database), dropped on
    exit."""
    name = unique_name()
    admin = admin_dsn(server_url)
    await execute(admin, f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
    try:
        yield database_on(server_url, name)
    finally:
        await execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def execute(dsn: str, statement: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()
