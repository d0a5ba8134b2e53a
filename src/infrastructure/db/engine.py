"""Building the async engine; called by the composition root, never at import time."""

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Dialect, ExceptionContext, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry, PoolProxiedConnection

from application.shared.errors import DatabaseUnavailable
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
    event.listen(engine.sync_engine, "checkout", _still_open)
    # Statements counted per request and command, the slow ones logged (ADR 0027).
    install_statement_counter(engine, slow_ms=slow_statement_ms)
    return engine


def _still_open(
    dbapi_connection: Any, _record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
) -> None:
    """Instead of SQLAlchemy's pre-ping, which costs asyncpg three round trips (BEGIN, a ping,
    ROLLBACK) before every statement: a connection whose server hung up (a restart, a cut, an
    idle timeout) is replaced without a round trip, because asyncpg saw its socket close. One
    that died silently fails its statement as DatabaseUnavailable (a 503), and the pool then
    drops every connection it had opened before."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def _connect(
    dialect: Dialect, _record: ConnectionPoolEntry, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> Any:
    try:
        return dialect.connect(*cargs, **cparams)
    except Exception as exc:
        raise connect_failure(exc) from exc


def _on_error(context: ExceptionContext) -> None:
    unavailable = lost_connection(context.original_exception, is_disconnect=context.is_disconnect)
    if unavailable is not None:
        raise unavailable from context.original_exception


def single_statement_reads(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool for readers whose every connection runs one statement: in
    autocommit they skip the BEGIN and ROLLBACK round trips around it, and one statement sees one
    snapshot anyway. (Server-side cursors need a transaction: stream from `engine` itself.)"""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


async def ping(engine: AsyncEngine) -> None:
    """Whether the server answers now. A pooled connection that turns out dead (the pool lends
    without a round trip, see `_still_open`) says nothing about the server; the pool has
    dropped it, so a fresh connection asks again."""
    try:
        await _select_one(engine)
    except DatabaseUnavailable as exc:
        if exc.reason != "disconnected":
            raise
        await _select_one(engine)


async def _select_one(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
