"""The identity unit of work: users, sessions, API keys, address books, verification and
password reset tokens in one transaction, with the new events of the aggregates it saw (the
log is their outbox)."""

from sqlalchemy.ext.asyncio import AsyncConnection

from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.store import EventStore
from infrastructure.identity.address_book import SqlAddressBookRepository
from infrastructure.identity.repositories import (
    SqlApiKeyRepository,
    SqlSessionRepository,
    SqlUserRepository,
    SqlVerificationTokens,
)
from infrastructure.identity.tables import password_reset_tokens


class SqlIdentityUnitOfWork(SqlUnitOfWork):
    """Opened per command by the handler."""

    users: SqlUserRepository
    sessions: SqlSessionRepository
    api_keys: SqlApiKeyRepository
    address_books: SqlAddressBookRepository
    verifications: SqlVerificationTokens
    password_resets: SqlVerificationTokens

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.users = SqlUserRepository(conn, self.seen)
        self.sessions = SqlSessionRepository(conn)
        self.api_keys = SqlApiKeyRepository(conn, self.seen)
        self.address_books = SqlAddressBookRepository(conn, self.seen)
        self.verifications = SqlVerificationTokens(conn)
        self.password_resets = SqlVerificationTokens(conn, password_reset_tokens)
