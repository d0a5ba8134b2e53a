"""Aggregate roots record the events their commands caused until the unit of work collects them."""

from abc import abstractmethod
from collections.abc import Iterable
from typing import Self

from domain.shared.events import DomainEvent


class AggregateRoot:
    """Keeps the list of events raised since the aggregate was loaded or created."""

    def __init__(self) -> None:
        self._pending_events: list[DomainEvent] = []

    def _record(self, event: DomainEvent) -> None:
        self._pending_events.append(event)

    def collect_events(self) -> list[DomainEvent]:
        """Hand over the recorded events and forget them."""
        events, self._pending_events = self._pending_events, []
        return events


class EventSourcedAggregate(AggregateRoot):
    """An aggregate whose state is a fold over its events.

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
    @abstractmethod
    def stream_id(self) -> str:
        """The identity of this aggregate's stream in the event log."""

    def _raise(self, event: DomainEvent) -> None:
        self._apply(event)
        self.version += 1
        self._record(event)

    @abstractmethod
    def _apply(self, event: DomainEvent) -> None:
        """Change state to reflect one event; never raises for a stored event."""
