"""Ordering's subscribers of the event log: the order projection, the fulfilment process's
runner, and the publisher of live updates, folding each batch's streams with `replay_batch`."""

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from application.ordering.handlers.fulfilment import FulfilmentProcess
from application.ordering.views import describe, describe_return
from domain.ordering.events import ReturnEvent
from domain.ordering.order import Order
from domain.ordering.returns import Return
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore, StoredEvent
from infrastructure.eventlog.subscribers import FailurePolicy, Interest, acting_on
from infrastructure.ordering.readers import Step, order_row, replay_batch
from infrastructure.ordering.return_readers import return_row
from infrastructure.ordering.tables import (
    order_timeline,
    order_views,
    return_timeline,
    return_views,
)
from infrastructure.redis.client import RedisCircuit
from infrastructure.redis.order_feed import channel, encode

STREAM_TYPES = (Order.stream_type, Return.stream_type)  # what the fulfilment process reads


class OrderProjection:
    """Keeps `order_views` and `order_timeline` in step with the log (a rebuild gives the same
    rows). A failure stops it: a read model with a hole is worse than a stale one."""

    name = "order-views"
    on_failure = FailurePolicy.STOP
    interest = Interest.of(stream_types=[Order.stream_type])

    def __init__(self, registry: EventRegistry) -> None:
        self._registry = registry

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        states, steps = await replay_batch(conn, self._registry, events)
        if not states:
            return
        rows = [order_row(state) for state in states]
        upsert = pg_insert(order_views).values(rows)
        await conn.execute(
            upsert.on_conflict_do_update(
                index_elements=[order_views.c.order_id],
                set_={name: upsert.excluded[name] for name in rows[0] if name != "order_id"},
            )
        )
        timeline = sorted(steps, key=lambda step: step.stored.position)
        await conn.execute(insert(order_timeline), [_timeline_row(step) for step in timeline])

    async def reset(self, conn: AsyncConnection) -> None:
        await conn.execute(order_timeline.delete())
        await conn.execute(order_views.delete())


class ReturnProjection:
    """Keeps `return_views` in step with the return streams: each return touched by a batch
    is folded again from its whole (short) stream, so a rebuild gives the same rows."""

    name = "return-views"
    on_failure = FailurePolicy.STOP
    interest = Interest.of(stream_types=[Return.stream_type])

    def __init__(self, registry: EventRegistry) -> None:
        self._registry = registry

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        store = EventStore(conn, self._registry)
        timeline = []
        for stored_event in events:
            event = self._registry.decode(stored_event)
            if isinstance(event, ReturnEvent):
                timeline.append(_return_timeline_row(stored_event, event))
        if timeline:
            await conn.execute(pg_insert(return_timeline).values(timeline).on_conflict_do_nothing())
        rows = []
        for stream_id in dict.fromkeys(event.stream_id for event in events):
            stored = await store.read_stream(stream_id)
            aggregate = Return.replay(self._registry.decode(e) for e in stored)
            rows.append(return_row(aggregate.state))
        if not rows:
            return
        upsert = pg_insert(return_views).values(rows)
        await conn.execute(
            upsert.on_conflict_do_update(
                index_elements=[return_views.c.return_id],
                set_={name: upsert.excluded[name] for name in rows[0] if name != "return_id"},
            )
        )

    async def reset(self, conn: AsyncConnection) -> None:
        await conn.execute(return_timeline.delete())
        await conn.execute(return_views.delete())


def _return_timeline_row(stored: StoredEvent, event: ReturnEvent) -> dict[str, Any]:
    actor, summary = describe_return(event)
    return {
        "position": stored.position,
        "order_id": event.order_id,
        "return_id": event.return_id,
        "event_type": stored.event_type,
        "occurred_at": event.occurred_at,
        "actor_id": actor,
        "summary": summary,
    }


def _timeline_row(step: Step) -> dict[str, Any]:
    actor, summary = describe(step.event, step.state)
    return {
        "position": step.stored.position,
        "order_id": step.state.id,
        "version": step.stored.stream_version,
        "event_type": step.stored.event_type,
        "status": step.state.status,
        "occurred_at": step.event.occurred_at,
        "actor_id": actor,
        "summary": summary,
    }


class FulfilmentRunner:
    """Hands the order events it acts on to the fulfilment process, many orders at once, each in
    order (a stream reactor). Its reactions commit on their own and are idempotent: an event run
    again changes nothing; a stuck one is parked (the payment deadline ends its order). The same
    `react` runs on a Kafka partition when the process is a group member (ADR 0022)."""

    name = "fulfilment"
    on_failure = FailurePolicy.PARK

    def __init__(self, process: FulfilmentProcess, registry: EventRegistry) -> None:
        self._process = process
        self._registry = registry
        self.interest = Interest.of(
            stream_types=list(STREAM_TYPES),
            event_types=[registry.name_of(cls) for cls in process.reacts_to],
        )

    async def react(self, event: StoredEvent) -> None:
        """One event, from the log or from the relay's topic: decoded (and upcast), then
        reacted to on behalf of the event (its correlation id, as cause, its trace)."""
        if event.stream_type not in STREAM_TYPES:
            return
        with acting_on(event):
            await self._process.react(self._registry.decode(event))


class OrderUpdatesPublisher:
    """Publishes each committed order event to Redis, with the order's status after it. Retried,
    never skipped, while Redis is away: clients drop a re-sent version they already have. Behind
    the Redis circuit breaker, a hung Redis fails each retry at once instead of at its timeout."""

    name = "order-updates"
    on_failure = FailurePolicy.RETRY
    interest = Interest.of(stream_types=[Order.stream_type])

    def __init__(
        self, redis: Redis, registry: EventRegistry, *, circuit: RedisCircuit, prefix: str
    ) -> None:
        self._redis = redis
        self._registry = registry
        self._circuit = circuit
        self._channel = channel(prefix)

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        _, steps = await replay_batch(conn, self._registry, events)
        for step in steps:
            async with self._circuit.guard():
                await self._redis.publish(self._channel, encode(step.update))
