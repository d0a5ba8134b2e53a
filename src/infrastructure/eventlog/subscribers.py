"""What a subscriber of the event log is, for the contexts that write one: its failure policy,
the events it declares it handles (`Interest`), the two kinds (a batch subscriber, a stream
reactor) and the call context its commands run in (`acting_on`). The runner that drives them
is `infrastructure.eventlog.subscriptions` (ADRs 0005, 0021)."""

import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.context import CallContext, current_call
from infrastructure.eventlog.store import StoredEvent


class FailurePolicy(StrEnum):
    """What a subscriber does when one event keeps failing."""

    STOP = "stop"  # projections: a read model with a hole is worse than a stale one
    PARK = "park"  # side effects: record it in the dead-letter table and go on
    RETRY = "retry"  # the relay: the broker will come back; never skip, never give up


@dataclass(frozen=True)
class Interest:
    """What a subscriber handles: events of these stream types and of these event types (None:
    any). Appends of nothing it handles neither wake it nor reach it; it moves past them."""

    stream_types: frozenset[str] | None = None
    event_types: frozenset[str] | None = None

    @classmethod
    def of(
        cls,
        *,
        stream_types: Collection[str] | None = None,
        event_types: Collection[str] | None = None,
    ) -> "Interest":
        return cls(
            frozenset(stream_types) if stream_types is not None else None,
            frozenset(event_types) if event_types is not None else None,
        )

    def wants(self, event: StoredEvent) -> bool:
        return (self.stream_types is None or event.stream_type in self.stream_types) and (
            self.event_types is None or event.event_type in self.event_types
        )

    def woken_by(self, payload: str) -> bool:
        """Whether an append notification (the types its statement appended) may concern us;
        a payload that names nothing (an older trigger, too many types) wakes everyone."""
        try:
            appended = json.loads(payload)
            stream_types = set(appended["stream_types"])
            event_types = set(appended["event_types"])
        except (ValueError, TypeError, KeyError):
            return True
        return (self.stream_types is None or not self.stream_types.isdisjoint(stream_types)) and (
            self.event_types is None or not self.event_types.isdisjoint(event_types)
        )


EVERYTHING = Interest()


class BatchSubscriber(Protocol):
    """Reacts to batches of stored events inside the transaction that moves its checkpoint.
    It may declare an `interest` (an Interest); without one it is handed every event."""

    @property
    def name(self) -> str: ...

    @property
    def on_failure(self) -> FailurePolicy: ...

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None: ...


@runtime_checkable
class Projection(BatchSubscriber, Protocol):
    """A subscriber that builds a read model it can drop and rebuild from the log."""

    async def reset(self, conn: AsyncConnection) -> None: ...


@runtime_checkable
class StreamReactor(Protocol):
    """A side-effect subscriber whose reactions commit on their own and are idempotent: the
    runner hands it one event at a time, many streams at once and each stream in order. Its
    `interest` is required: it says which events are work."""

    @property
    def name(self) -> str: ...

    @property
    def on_failure(self) -> FailurePolicy: ...

    @property
    def interest(self) -> Interest: ...

    async def react(self, event: StoredEvent) -> None: ...


Subscriber = BatchSubscriber | StreamReactor


def interest_of(subscriber: Subscriber) -> Interest:
    interest = getattr(subscriber, "interest", EVERYTHING)
    return interest if isinstance(interest, Interest) else EVERYTHING


@contextmanager
def acting_on(stored: StoredEvent) -> Iterator[None]:
    """Commands a subscriber sends for this event carry its correlation id and name it as
    their cause (in their events' metadata and in the logs)."""
    token = current_call.set(
        CallContext(
            correlation_id=str(stored.metadata.get("correlation_id") or stored.event_id),
            causation_id=str(stored.event_id),
            traceparent=stored.metadata.get("traceparent"),
        )
    )
    try:
        yield
    finally:
        current_call.reset(token)
