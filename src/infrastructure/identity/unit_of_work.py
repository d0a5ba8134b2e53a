"""The identity unit of work: one connection, one transaction, rolled back unless committed."""

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore, PendingEvent
from infrastructure.identity.event_types import USER_STREAM
from infrastructure.identity.repositories import SqlSessionRepository, SqlUserRepository


class SqlIdentityUnitOfWork:
    """Opened per command by the handler; repositories share its transaction, and the users'
    new events go to the event log in that same transaction (the log is their outbox)."""

    users: SqlUserRepository
    sessions: SqlSessionRepository

    def __init__(self, engine: AsyncEngine, registry: EventRegistry) -> None:
        self._engine = engine
        self._registry = registry
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        self._conn = await self._engine.connect()
        await self._conn.begin()
        self.users = SqlUserRepository(self._conn)
        self.sessions = SqlSessionRepository(self._conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()
            self._conn = None

    async def commit(self) -> None:
        assert self._conn is not None
        store = EventStore(self._conn, self._registry)
        for user in self.users.seen:
            events = user.collect_events()
            if events:
                # State-stored: the row's version check already serialised writers of this user.
                await store.append(
                    stream_type=USER_STREAM,
                    stream_id=str(user.id),
                    events=[PendingEvent.new(e) for e in events],
                    expected_version=None,
                )
        await self._conn.commit()
