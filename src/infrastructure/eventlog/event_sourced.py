"""A repository for event-sourced aggregates: load by replaying the stream, save the new events
with the version the aggregate was loaded at."""

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from domain.shared.aggregate import EventSourcedAggregate
from domain.shared.events import DomainEvent
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore, PendingEvent

A = TypeVar("A", bound=EventSourcedAggregate)


class EventSourcedRepository(Generic[A]):
    """One stream per aggregate; a concurrent writer makes `save` raise ConcurrencyConflict."""

    def __init__(
        self,
        store: EventStore,
        registry: EventRegistry,
        *,
        stream_type: str,
        replay: Callable[[Iterable[DomainEvent]], A],
    ) -> None:
        self._store = store
        self._registry = registry
        self._stream_type = stream_type
        self._replay = replay

    async def get(self, stream_id: str) -> A | None:
        stored = await self._store.read_stream(stream_id)
        if not stored:
            return None
        events = [
            self._registry.deserialize(e.event_type, e.schema_version, dict(e.payload))
            for e in stored
        ]
        return self._replay(events)

    async def save(self, aggregate: A) -> None:
        new = aggregate.collect_events()
        if not new:
            return
        await self._store.append(
            stream_type=self._stream_type,
            stream_id=aggregate.stream_id,
            events=[PendingEvent.new(e) for e in new],
            expected_version=aggregate.version - len(new),
        )
