"""The identity unit of work: users, sessions and API keys in one transaction, with the new
events of the users and keys it saw (the log is their outbox)."""

from sqlalchemy.ext.asyncio import AsyncConnection

from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.store import EventStore
from infrastructure.identity.repositories import (
    SqlApiKeyRepository,
    SqlSessionRepository,
    SqlUserRepository,
)


class SqlIdentityUnitOfWork(SqlUnitOfWork):
    """Opened per command by the handler."""

    users: SqlUserRepository
    sessions: SqlSessionRepository
    api_keys: SqlApiKeyRepository

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.users = SqlUserRepository(conn, self.seen)
        self.sessions = SqlSessionRepository(conn)
        self.api_keys = SqlApiKeyRepository(conn, self.seen)
