"""Aggregate roots record the events their commands caused until the unit of work collects them."""

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
