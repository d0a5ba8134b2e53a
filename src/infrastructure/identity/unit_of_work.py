"""The identity unit of work: users and sessions in one transaction, and the users' new events
appended to the event log in that same transaction (the log is their outbox)."""

from sqlalchemy.ext.asyncio import AsyncConnection

from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.store import EventStore
from infrastructure.identity.event_types import USER_STREAM
from infrastructure.identity.repositories import SqlSessionRepository, SqlUserRepository


class SqlIdentityUnitOfWork(SqlUnitOfWork):
    """Opened per command by the handler."""

    users: SqlUserRepository
    sessions: SqlSessionRepository

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.users = SqlUserRepository(conn)
        self.sessions = SqlSessionRepository(conn)

    async def _publish(self, events: EventStore) -> None:
        await events.append_outbox(
            [(USER_STREAM, str(user.id), user.collect_events()) for user in self.users.seen]
        )
