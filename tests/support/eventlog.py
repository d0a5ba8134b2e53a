"""Helpers for event-log tests: appends, and a subscriber that records what it was given."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from agora.bootstrap import build_registry
from domain.identity.events import UserProfileUpdated
from infrastructure.eventlog.monitoring import subscription_statuses
from infrastructure.eventlog.store import EventStore, NewEvents, PendingEvent, StoredEvent
from infrastructure.eventlog.subscribers import FailurePolicy, Interest

REGISTRY = build_registry()


def an_event(name: str = "Ada") -> UserProfileUpdated:
    return UserProfileUpdated(occurred_at=datetime.now(UTC), user_id=uuid.uuid4(), full_name=name)


async def append(
    engine: AsyncEngine, stream_id: str, *names: str, expected: int | None = None
) -> None:
    async with engine.begin() as conn:
        await EventStore(conn, REGISTRY).append(
            [
                NewEvents(
                    stream_type="user",
                    stream_id=stream_id,
                    events=[PendingEvent.new(an_event(n)) for n in names or ("Ada",)],
                    expected_version=expected,
                )
            ]
        )


async def prepare_recordings(engine: AsyncEngine) -> None:
    """The table RecordingSubscriber writes to."""
    async with engine.begin() as conn:
        # Helper tables live in their own schema, outside what the migrations manage.
        await conn.execute(text("CREATE SCHEMA IF NOT EXISTS test_support"))
        await conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS test_support.deliveries"
                " (subscriber text, event_id uuid, position bigint, full_name text)"
            )
        )


class RecordingSubscriber:
    """Writes one row per delivered event, in the subscriber's transaction."""

    def __init__(
        self,
        name: str,
        on_failure: FailurePolicy = FailurePolicy.STOP,
        fail_on: str | None = None,
    ) -> None:
        self.name = name
        self.on_failure = on_failure
        self.fail_on = fail_on

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        for event in events:
            if event.payload.get("full_name") == self.fail_on:
                raise RuntimeError(f"cannot handle {self.fail_on}")
            await conn.execute(
                text("INSERT INTO test_support.deliveries VALUES (:s, :e, :p, :n)"),
                {
                    "s": self.name,
                    "e": event.event_id,
                    "p": event.position,
                    "n": event.payload["full_name"],
                },
            )


async def deliveries(engine: AsyncEngine, subscriber: str) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT full_name FROM test_support.deliveries"
                " WHERE subscriber = :s ORDER BY position"
            ),
            {"s": subscriber},
        )
        return [r[0] for r in rows]


async def append_to(engine: AsyncEngine, stream_type: str, stream_id: str, *names: str) -> None:
    """Append to a stream of any type (the subscribers under test only look at the type)."""
    async with engine.begin() as conn:
        await EventStore(conn, REGISTRY).append(
            [
                NewEvents(
                    stream_type=stream_type,
                    stream_id=stream_id,
                    events=[PendingEvent.new(an_event(n)) for n in names or ("Ada",)],
                )
            ]
        )


class RecordingReactor:
    """A stream reactor whose effect is one row per event, written in its own transaction and
    idempotent as real reactions are (a repeat finds its row); it counts every call and how
    many run at once. `before` runs first, to hold or fail a reaction."""

    def __init__(
        self,
        name: str,
        engine: AsyncEngine,
        *,
        stream_types: Sequence[str] = ("user",),
        on_failure: FailurePolicy = FailurePolicy.PARK,
        before: Callable[[StoredEvent], Awaitable[None]] | None = None,
    ) -> None:
        self.name = name
        self.on_failure = on_failure
        self.interest = Interest.of(stream_types=stream_types)
        self.before = before
        self.calls: list[StoredEvent] = []
        self.running = 0
        self.most_at_once = 0
        self._engine = engine

    async def react(self, event: StoredEvent) -> None:
        self.calls.append(event)
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            if self.before is not None:
                await self.before(event)
            async with self._engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO test_support.deliveries SELECT :s, :e, :p, :n WHERE NOT EXISTS"
                        " (SELECT 1 FROM test_support.deliveries WHERE subscriber = :s"
                        " AND event_id = :e)"
                    ),
                    {
                        "s": self.name,
                        "e": event.event_id,
                        "p": event.position,
                        "n": event.payload["full_name"],
                    },
                )
        finally:
            self.running -= 1


async def settled(engine: AsyncEngine, *, seconds: float = 20) -> None:
    """Wait until every subscriber's checkpoint is past every event in the log: effects that
    follow the events a test waited for (a reservation settled after `paid`) have committed."""
    for _ in range(int(seconds / 0.05)):
        if all(status.pending == 0 for status in await subscription_statuses(engine)):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"subscribers still behind: {await subscription_statuses(engine)}")
