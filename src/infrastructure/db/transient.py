"""Which failures are the database's or the network's, not the code's."""

import asyncpg
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import InterfaceError as SqlInterfaceError


def is_transient(exc: BaseException) -> bool:
    """A failure of the connection or the server (a restart, a failover, a dropped socket):
    worth retrying, and never to be charged to the event or message being processed."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(
        exc,
        OperationalError
        | SqlInterfaceError
        | OSError
        | TimeoutError
        | asyncpg.PostgresConnectionError
        | asyncpg.exceptions.OperatorInterventionError
        | asyncpg.InterfaceError,
    )
