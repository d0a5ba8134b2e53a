"""The identity unit of work: users and sessions in one transaction, and the users' new events
appended to the event log in that same transaction (the log is their outbox)."""

from sqlalchemy.ext.asyncio import AsyncConnection

from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.store import EventStore, PendingEvent
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
        for user in self.users.seen:
            new = user.collect_events()
            if new:
                # State-stored: the row's version check already serialised writers of this user.
                await events.append(
                    stream_type=USER_STREAM,
                    stream_id=str(user.id),
                    events=[PendingEvent.new(e) for e in new],
                    expected_version=None,
                )
