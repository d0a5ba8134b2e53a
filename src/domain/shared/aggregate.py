"""Aggregate roots record the events their commands caused; the unit of work appends them to the
event log when it commits, in the transaction that stores the aggregate itself."""

from abc import abstractmethod
from collections.abc import Iterable
from typing import ClassVar, Self

from domain.shared.events import DomainEvent


class AggregateRoot:
    """Keeps the events raised since the aggregate was loaded or created. Each aggregate names
    its stream in the event log: `stream_type` for its kind, `stream_id` for this one."""

    stream_type: ClassVar[str]

    def __init__(self) -> None:
        self._pending_events: list[DomainEvent] = []

    @property
    @abstractmethod
    def stream_id(self) -> str:
        """The identity of this aggregate's stream in the event log."""

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        """The events recorded and not collected yet."""
        return tuple(self._pending_events)

    def _record(self, event: DomainEvent) -> None:
        self._pending_events.append(event)

    def collect_events(self) -> list[DomainEvent]:
        """Hand over the recorded events and forget them."""
        events, self._pending_events = self._pending_events, []
        return events


class EventSourcedAggregate(AggregateRoot):
    """An aggregate whose state is a fold over its events; `version` counts them.

    Public commands check the rules, then call `_raise(event)`; `_apply(event)` only mutates.
    Replaying a stream calls `_apply` alone, so history is never re-validated."""

    def __init__(self) -> None:
        super().__init__()
        self.version = 0

    @classmethod
    def replay(cls, events: Iterable[DomainEvent]) -> Self:
        aggregate = cls()
        for event in events:
            aggregate._apply(event)
            aggregate.version += 1
        return aggregate

    @property
    def loaded_version(self) -> int:
        """The version the stream had before the events still pending: what an append of them
        expects to find."""
        return self.version - len(self._pending_events)

    def _raise(self, event: DomainEvent) -> None:
        self._apply(event)
        self.version += 1
        self._record(event)

    @abstractmethod
    def _apply(self, event: DomainEvent) -> None:
        """Change state to reflect one event; never raises for a stored event."""
