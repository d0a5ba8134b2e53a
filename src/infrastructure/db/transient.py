"""Which failures are the database's or the network's, not the code's; and the one place that
turns a connection-level failure into `DatabaseUnavailable` (the engine's events call it)."""

import asyncpg
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import InterfaceError as SqlInterfaceError

from application.shared.errors import DatabaseUnavailable

# The server turned us away, or went away; a cancelled query (57014), a deadlock or a bad
# statement is not an outage.
_REFUSED = (
    asyncpg.exceptions.CannotConnectNowError,  # 57P03: starting up or shutting down
    asyncpg.exceptions.TooManyConnectionsError,  # 53300
    asyncpg.exceptions.InvalidAuthorizationSpecificationError,  # 28xxx: wrong credentials
    asyncpg.exceptions.InvalidCatalogNameError,  # 3D000: no such database
)
_GONE = (
    asyncpg.PostgresConnectionError,  # class 08
    asyncpg.exceptions.AdminShutdownError,  # 57P01: terminated by an administrator
    asyncpg.exceptions.CrashShutdownError,  # 57P02
)


def is_transient(exc: BaseException) -> bool:
    """A failure of the connection or the server (a restart, a failover, a dropped socket):
    worth retrying, and never to be charged to the event or message being processed."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(
        exc,
        DatabaseUnavailable
        | OperationalError
        | SqlInterfaceError
        | OSError
        | TimeoutError
        | asyncpg.PostgresConnectionError
        | asyncpg.exceptions.OperatorInterventionError
        | asyncpg.InterfaceError,
    )


def connect_failure(exc: BaseException) -> DatabaseUnavailable:
    """Opening a connection failed: whatever the cause, PostgreSQL is not serving us now. The
    cause stays chained for the log; the caller is told a stable reason."""
    reason = _reason(exc) or "unreachable"
    return DatabaseUnavailable("the database is unavailable; try again shortly", reason=reason)


def pool_exhausted(timeout_seconds: float) -> DatabaseUnavailable:
    """No pooled connection came free in time: the database is too slow or not answering."""
    return DatabaseUnavailable(
        f"no database connection within {timeout_seconds:g} s; try again shortly",
        reason="timeout",
    )


def lost_connection(exc: BaseException, *, is_disconnect: bool) -> DatabaseUnavailable | None:
    """A statement failed: an outage if the connection dropped or the server is going away,
    None for everything else (a bug, a constraint, a conflict keep their own exception)."""
    reason = _reason(exc)
    if reason is None and not is_disconnect:
        return None
    return DatabaseUnavailable(
        "the database connection was lost; try again shortly", reason=reason or "disconnected"
    )


def _reason(exc: BaseException) -> str | None:
    seen: BaseException | None = exc
    for _ in range(10):  # the driver's error, SQLAlchemy's adaptation of it, and their causes
        if seen is None:
            return None
        if isinstance(seen, TimeoutError):
            return "timeout"
        if isinstance(seen, OSError):
            return "unreachable"
        if isinstance(seen, _REFUSED):
            return "refused"
        if isinstance(seen, _GONE):
            return "disconnected"
        seen = seen.__cause__ or seen.__context__
    return None
