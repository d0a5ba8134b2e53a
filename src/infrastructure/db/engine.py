"""Building the async engine; called by the composition root, never at import time."""

import time
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Dialect, ExceptionContext, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry

from application.shared.errors import DatabaseUnavailable
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
) -> AsyncEngine:
    engine = create_async_engine(
        async_url(url),
        poolclass=OutageAwarePool,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout_seconds,
        pool_pre_ping=False,  # `_ping_if_idle` instead: see there
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
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    return engine


def _checked_in(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    """Ping a connection that sat idle, not one that was busy a moment ago. The asyncpg
    dialect's ping is three round trips (BEGIN, an empty query, ROLLBACK): pinging at every
    checkout cost each short transaction more than its own statements (ADR 0023). A connection
    that was fine a moment ago is no likelier to fail on a ping than on its first statement,
    whose failure the pool handles anyway (the engine turns it into DatabaseUnavailable and the
    pool replaces every connection); what a ping catches is one that died while idle: a server
    restarted, a proxy that dropped it. A failed ping makes the pool connect afresh."""
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
    if context.is_pre_ping:
        return  # the pool replaces the dead connection itself, through `_connect`
    unavailable = lost_connection(context.original_exception, is_disconnect=context.is_disconnect)
    if unavailable is not None:
        raise unavailable from context.original_exception


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
