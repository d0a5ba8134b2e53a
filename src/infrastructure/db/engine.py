"""Building the async engine; called by the composition root, never at import time."""

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def async_url(url: str) -> str:
    """Accept the usual `postgresql://` spelling and drive it with asyncpg."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def asyncpg_dsn(url: str) -> str:
    """The same database as a plain DSN, for dedicated asyncpg connections (LISTEN, locks)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def build_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 10, echo: bool = False
) -> AsyncEngine:
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        echo=echo,
        # Statement parameters hold password and token hashes: keep them out of logs and errors.
        hide_parameters=True,
        # Fail fast when PostgreSQL is unreachable instead of asyncpg's 60 s default.
        connect_args={"timeout": 10},
    )


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
