"""A repository for event-sourced aggregates: load by replaying the stream, under the stream's
lock, so that concurrent commands on one existing aggregate run one after the other (ADR 0005).
The unit of work appends the new events at commit, expecting the version it was loaded at."""

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from domain.shared.aggregate import EventSourcedAggregate
from domain.shared.events import DomainEvent
from infrastructure.db.unit_of_work import SeenAggregates
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore

A = TypeVar("A", bound=EventSourcedAggregate)


class EventSourcedRepository(Generic[A]):
    """One stream per aggregate; a concurrent writer makes the commit raise ConcurrencyConflict."""

    def __init__(
        self,
        store: EventStore,
        registry: EventRegistry,
        seen: SeenAggregates,
        *,
        replay: Callable[[Iterable[DomainEvent]], A],
    ) -> None:
        self._store = store
        self._registry = registry
        self._seen = seen
        self._replay = replay
        self._locked: set[str] = set()

    async def get(self, stream_id: str) -> A | None:
        await self._lock(stream_id)
        stored = await self._store.read_stream(stream_id)
        if not stored:
            return None
        return self._seen.add(self._replay([self._registry.decode(e) for e in stored]))

    async def add(self, aggregate: A) -> None:
        """A new aggregate, not locked: no other writer knows its new id, and the append
        expects no stream (NO_STREAM) with the stream's unique version index behind it, so a
        second writer could only fail, never interleave. A lock would be a round trip for
        nothing (ADR 0023)."""
        self._seen.add(aggregate)

    async def _lock(self, stream_id: str) -> None:
        """Once per stream and transaction: the lock is held until the transaction ends."""
        if stream_id not in self._locked:
            await self._store.lock_streams([stream_id])
            self._locked.add(stream_id)
