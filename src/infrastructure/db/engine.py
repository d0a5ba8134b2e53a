"""Building the async engine; called by the composition root, never at import time."""

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Dialect, ExceptionContext, make_url
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry

from infrastructure.db.statements import install_statement_counter
from infrastructure.db.transient import connect_failure, lost_connection, pool_exhausted


def async_url(url: str) -> str:
    """Accept the usual `postgresql://` spelling and drive it with asyncpg."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def asyncpg_dsn(url: str) -> str:
    """The same database as a plain DSN, for dedicated asyncpg connections (LISTEN, locks)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class OutageAwarePool(AsyncAdaptedQueuePool):
    """SQLAlchemy's asyncio pool, except that waiting in vain for a connection (every one busy
    or still connecting to a server that does not answer) is DatabaseUnavailable too. The pool
    raises it with no event to hook, so this overrides the one method a pool implements."""

    def _do_get(self) -> ConnectionPoolEntry:
        try:
            return super()._do_get()
        except PoolTimeout as exc:
            raise pool_exhausted(self._timeout) from exc


def build_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    pool_timeout_seconds: float = 30,
    echo: bool = False,
    slow_statement_ms: float = 200,
) -> AsyncEngine:
    engine = create_async_engine(
        async_url(url),
        poolclass=OutageAwarePool,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout_seconds,
        pool_pre_ping=True,
        echo=echo,
        # Statement parameters hold password and token hashes: keep them out of logs and errors.
        hide_parameters=True,
        # Fail fast when PostgreSQL is unreachable instead of asyncpg's 60 s default.
        connect_args={"timeout": 10},
    )
    # An outage reaches callers as DatabaseUnavailable (503 over HTTP, a retry in the worker),
    # whichever statement met it; every other database error keeps its own exception.
    event.listen(engine.sync_engine, "do_connect", _connect)
    event.listen(engine.sync_engine, "handle_error", _on_error)
    # Statements counted per request and command, the slow ones logged (ADR 0027).
    install_statement_counter(engine, slow_ms=slow_statement_ms)
    return engine


def _connect(
    dialect: Dialect, _record: ConnectionPoolEntry, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> Any:
    try:
        return dialect.connect(*cargs, **cparams)
    except Exception as exc:
        raise connect_failure(exc) from exc


def _on_error(context: ExceptionContext) -> None:
    if context.is_pre_ping:
        return  # the pool replaces the dead connection itself, through `_connect`
    unavailable = lost_connection(context.original_exception, is_disconnect=context.is_disconnect)
    if unavailable is not None:
        raise unavailable from context.original_exception


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
