"""The unit of work every context shares: one transaction per command, rolled back unless
committed, and the one path by which events reach the log. Repositories hand each aggregate
they load or add to `seen`; at commit its new events are appended in the transaction that
stores its state. Opened inside another unit of work, or in a `joined` block, it joins that
transaction, which is how an idempotency claim or a Kafka inbox row commits with its effect."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.shared.aggregate import AggregateRoot, EventSourcedAggregate
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore, NewEvents, PendingEvent

A = TypeVar("A", bound=AggregateRoot)

_open_transaction: ContextVar[AsyncConnection | None] = ContextVar(
    "agora_open_transaction", default=None
)


@contextmanager
def joined(conn: AsyncConnection) -> Iterator[None]:
    """Units of work opened inside this block run in `conn`'s transaction."""
    token = _open_transaction.set(conn)
    try:
        yield
    finally:
        _open_transaction.reset(token)


class SeenAggregates:
    """The aggregates one unit of work loaded or added, in that order."""

    def __init__(self) -> None:
        self._aggregates: dict[int, AggregateRoot] = {}  # by identity: each object once

    def add(self, aggregate: A) -> A:
        self._aggregates.setdefault(id(aggregate), aggregate)
        return aggregate

    def new_events(self) -> list[NewEvents]:
        """Each aggregate's events since it was loaded, handed over (and so forgotten)."""
        return [
            NewEvents(
                stream_type=aggregate.stream_type,
                stream_id=aggregate.stream_id,
                expected_version=(
                    aggregate.loaded_version
                    if isinstance(aggregate, EventSourcedAggregate)
                    else None
                ),
                events=[PendingEvent.new(e) for e in aggregate.collect_events()],
            )
            for aggregate in self._aggregates.values()
        ]


class SqlUnitOfWork:
    """Subclasses build their repositories in `_open`, handing them `self.seen`."""

    def __init__(self, engine: AsyncEngine, registry: EventRegistry) -> None:
        self._engine = engine
        self._registry = registry
        self._conn: AsyncConnection | None = None
        self._joined = False
        self.seen = SeenAggregates()

    async def __aenter__(self) -> Self:
        self._conn = _open_transaction.get()
        self._joined = self._conn is not None
        if self._conn is None:
            self._conn = await self._engine.connect()
            await self._conn.begin()
        self._token = _open_transaction.set(self._conn)
        self.seen = SeenAggregates()
        self._events = EventStore(self._conn, self._registry)
        self._open(self._conn, self._events)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        _open_transaction.reset(self._token)
        conn, self._conn = self._conn, None
        if self._joined:
            return  # the outer unit of work commits or rolls back
        try:
            if conn.in_transaction():
                await conn.rollback()
        finally:
            await conn.close()

    async def commit(self) -> None:
        """Append the new events of every aggregate seen, then commit (joined to an outer
        transaction, only append: the outer unit of work commits)."""
        assert self._conn is not None
        appended = self.seen.new_events()
        await self._events.append(appended)
        if not self._joined:
            await self._conn.commit()
        await self._committed(appended)

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        raise NotImplementedError

    async def _committed(self, appended: list[NewEvents]) -> None:
        """After a commit (a cache to invalidate, say); nothing by default."""
