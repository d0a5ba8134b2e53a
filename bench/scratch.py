"""A throwaway, migrated database for one benchmark run: on DATABASE_URL's server, or on an
embedded PostgreSQL in a temporary directory. Dropped afterwards, whatever happened."""

import asyncio
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from infrastructure.db.engine import asyncpg_dsn
from infrastructure.db.migrations import upgrade_to_head
from infrastructure.embedded import EmbeddedServices


@contextmanager
def scratch_database() -> Iterator[tuple[str, Path]]:
    """The database URL and a temporary directory the run may use."""
    embedded = EmbeddedServices()
    try:
        with tempfile.TemporaryDirectory(prefix="agora-bench-") as data_dir:
            server = os.environ.get("DATABASE_URL") or embedded.postgres(Path(data_dir) / "pg")
            name = f"agora_bench_{uuid.uuid4().hex[:8]}"
            admin = asyncpg_dsn(server)
            asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
            url = make_url(server).set(database=name).render_as_string(hide_password=False)
            try:
                upgrade_to_head(url)
                yield url, Path(data_dir)
            finally:
                asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        embedded.close()


async def _admin(dsn: str, statement: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()
