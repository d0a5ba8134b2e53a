"""The connection life cycle every SQL unit of work shares: open one connection and one
transaction, roll back unless committed, append recorded events just before committing.

Given a connection that is already in a transaction (a Kafka consumer's, holding its inbox
row), a unit of work runs inside it as a savepoint instead: its commit releases the savepoint,
and the effect commits or rolls back with the caller's transaction."""

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore


class SqlUnitOfWork:
    """Subclasses build their repositories in `_open` and append their events in `_publish`."""

    def __init__(
        self,
        engine: AsyncEngine | None,
        registry: EventRegistry,
        *,
        within: AsyncConnection | None = None,
    ) -> None:
        assert engine is not None or within is not None
        self._engine = engine
        self._registry = registry
        self._within = within
        self._conn: AsyncConnection | None = None
        self._savepoint: AsyncTransaction | None = None

    async def __aenter__(self) -> Self:
        if self._within is not None:
            self._conn = self._within
            self._savepoint = await self._conn.begin_nested()
        else:
            assert self._engine is not None
            self._conn = await self._engine.connect()
            await self._conn.begin()
        self._open(self._conn, EventStore(self._conn, self._registry))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        if self._savepoint is not None:
            if self._savepoint.is_active:
                await self._savepoint.rollback()
            self._savepoint = None
            self._conn = None
            return
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()
            self._conn = None

    async def commit(self) -> None:
        assert self._conn is not None
        await self._publish(EventStore(self._conn, self._registry))
        if self._savepoint is not None:
            await self._savepoint.commit()
        else:
            await self._conn.commit()

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        raise NotImplementedError

    async def _publish(self, events: EventStore) -> None:
        raise NotImplementedError
