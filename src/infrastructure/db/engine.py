"""Building the async engine; called by the composition root, never at import time."""

import time
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

# A connection back in the pool for longer than this is pinged before it is handed out again.
IDLE_BEFORE_PING_SECONDS = 2.0


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
        pool_pre_ping=False,  # `_lend` instead: see there
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
    event.listen(engine.sync_engine.pool, "checkin", _checked_in)
    event.listen(engine.sync_engine.pool, "checkout", _lend)
    # Statements counted per request and command, the slow ones logged (ADR 0027).
    install_statement_counter(engine, slow_ms=slow_statement_ms)
    return engine


def _checked_in(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _lend(
    dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
) -> None:
    """Instead of SQLAlchemy's pre-ping, which costs asyncpg three round trips (BEGIN, a ping,
    ROLLBACK) at every checkout, more than a short transaction's own statements (ADRs 0023,
    0024). A connection whose server hung up (a restart, a cut, an idle timeout) is replaced
    without a round trip, because asyncpg saw its socket close; one that sat idle for
    `IDLE_BEFORE_PING_SECONDS` is pinged, since that is when one dies silently (a proxy that
    dropped it). One that was busy a moment ago is lent as it is: if it died since, its statement
    fails as DatabaseUnavailable (a 503) and the pool drops every connection it had opened before.
    A failed check makes the pool connect afresh."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")
    idle_since = record.info.get("checked_in_at")
    if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as exc:
        raise DisconnectionError("an idle connection failed its ping") from exc


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
    """Whether PostgreSQL answers now. A pooled connection found dead says only that it was
    dropped (and makes the pool replace every connection): ask once more, on a new one."""
    for attempt in (1, 2):
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return
        except DatabaseUnavailable as exc:
            if exc.reason != "disconnected" or attempt == 2:
                raise
