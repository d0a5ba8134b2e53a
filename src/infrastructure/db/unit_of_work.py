"""The unit of work every context shares: one transaction per command, rolled back unless
committed, and the one path by which events reach the log. Repositories hand each aggregate
they load or add to `seen`; at commit its new events are appended in the transaction that
stores its state. Opened by the task that has another unit of work (or a `joined` block) open,
it joins that transaction in a savepoint: its commit releases the savepoint, so it is final
when the outer one commits, and leaving without a commit rolls back to it. That is how an
idempotency claim or a Kafka inbox row commits with its effect. Other tasks never join."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from domain.shared.aggregate import AggregateRoot, EventSourcedAggregate
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore, NewEvents, PendingEvent
from infrastructure.telemetry.metrics import count_committed

A = TypeVar("A", bound=AggregateRoot)

# The transaction the current task has open, and that task (a child task inherits the context).
_open_transaction: ContextVar[tuple[AsyncConnection, "asyncio.Task[object] | None"] | None] = (
    ContextVar("agora_open_transaction", default=None)
)


@contextmanager
def joined(conn: AsyncConnection) -> Iterator[None]:
    """Units of work this task opens inside the block run in `conn`'s transaction."""
    token = _open_transaction.set((conn, asyncio.current_task()))
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
        self.seen = SeenAggregates()

    async def __aenter__(self) -> Self:
        outer = _open_transaction.get()
        task = asyncio.current_task()
        self._savepoint: AsyncTransaction | None = None
        if outer is not None and outer[1] is task:
            self._conn = outer[0]
            self._savepoint = await self._conn.begin_nested()
        else:
            self._conn = await self._engine.connect()
            await self._conn.begin()
        self._token = _open_transaction.set((self._conn, task))
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
        if self._savepoint is not None:
            if self._savepoint.is_active:  # left without a commit: undo what it did
                await self._savepoint.rollback()
            return
        try:
            if conn.in_transaction():
                await conn.rollback()
        finally:
            await conn.close()

    async def commit(self) -> None:
        """Append the new events of every aggregate seen, then commit (joined, release the
        savepoint: the outer unit of work commits)."""
        assert self._conn is not None
        appended = self.seen.new_events()
        await self._events.append(appended)
        if self._savepoint is not None:
            await self._savepoint.commit()
        else:
            await self._conn.commit()
        count_committed(
            self._registry.of(pending.event).name for batch in appended for pending in batch.events
        )
        await self._committed(appended)

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        raise NotImplementedError

    async def _committed(self, appended: list[NewEvents]) -> None:
        """After a commit (a cache to invalidate, say); nothing by default."""
