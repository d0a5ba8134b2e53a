"""The connection life cycle every SQL unit of work shares: open one connection and one
transaction, roll back unless committed, append recorded events just before committing."""

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore


class SqlUnitOfWork:
    """Subclasses build their repositories in `_open` and append their events in `_publish`."""

    def __init__(self, engine: AsyncEngine, registry: EventRegistry) -> None:
        self._engine = engine
        self._registry = registry
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
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
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()
            self._conn = None

    async def commit(self) -> None:
        assert self._conn is not None
        await self._publish(EventStore(self._conn, self._registry))
        await self._conn.commit()

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        raise NotImplementedError

    async def _publish(self, events: EventStore) -> None:
        raise NotImplementedError
