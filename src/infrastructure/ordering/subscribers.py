"""Ordering's subscribers of the event log: the order projection, the fulfilment process's
runner, and the publisher of live updates. Each folds the order streams with the order's own
state machine (`replay_orders`), once per batch."""

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from application.ordering.handlers.fulfilment import FulfilmentProcess
from application.ordering.views import describe
from domain.ordering.order import Order
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.subscriptions import FailurePolicy, acting_on
from infrastructure.ordering.readers import order_row, replay_orders, streams_through
from infrastructure.ordering.tables import order_timeline, order_views
from infrastructure.redis.order_feed import channel, encode


class OrderProjection:
    """Keeps `order_views` (a row per order, its state) and `order_timeline` (a row per event,
    in words) in step with the log; both are functions of the log alone, so a rebuild gives the
    same rows. A failure stops it: a read model with a hole is worse than a stale one."""

    name = "order-views"
    on_failure = FailurePolicy.STOP

    def __init__(self, registry: EventRegistry) -> None:
        self._registry = registry

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        through = streams_through(events, Order.stream_type)
        if not through:
            return
        histories = await replay_orders(conn, self._registry, through)
        positions = {e.event_id for e in events}
        timeline = [
            _timeline_row(step.stored, step.event, step.state.status)
            for steps in histories.values()
            for step in steps
            if step.stored.event_id in positions
        ]
        rows = [order_row(steps[-1].state) for steps in histories.values()]
        upsert = pg_insert(order_views).values(rows)
        await conn.execute(
            upsert.on_conflict_do_update(
                index_elements=[order_views.c.order_id],
                set_={name: upsert.excluded[name] for name in rows[0] if name != "order_id"},
            )
        )
        await conn.execute(insert(order_timeline), sorted(timeline, key=lambda r: r["position"]))

    async def reset(self, conn: AsyncConnection) -> None:
        await conn.execute(order_timeline.delete())
        await conn.execute(order_views.delete())


def _timeline_row(stored: StoredEvent, event: Any, status: str) -> dict[str, Any]:
    actor, summary = describe(event)
    return {
        "position": stored.position,
        "order_id": event.order_id,
        "version": stored.stream_version,
        "event_type": stored.event_type,
        "status": status,
        "occurred_at": event.occurred_at,
        "actor_id": actor,
        "summary": summary,
    }


class FulfilmentRunner:
    """Hands order events to the fulfilment process, in order. Its effects are commands with
    their own transactions, so the checkpoint marks progress rather than making them atomic;
    every reaction is idempotent, and a batch that fails part way is simply handled again. A
    step that keeps failing (a bug, an impossible order) is parked for an operator; the
    payment deadline still ends the order, so no order waits forever."""

    name = "fulfilment"
    on_failure = FailurePolicy.PARK

    def __init__(self, process: FulfilmentProcess, registry: EventRegistry) -> None:
        self._process = process
        self._registry = registry

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        for stored in events:
            if stored.stream_type != Order.stream_type:
                continue
            with acting_on(stored):
                await self._process.react(self._registry.decode(stored))


class OrderUpdatesPublisher:
    """Publishes each committed order event to Redis, with the order's status after it.
    Retried while Redis is away (never skipped); a re-sent update is harmless, clients drop
    versions they have."""

    name = "order-updates"
    on_failure = FailurePolicy.RETRY

    def __init__(self, redis: Redis, registry: EventRegistry, *, prefix: str) -> None:
        self._redis = redis
        self._registry = registry
        self._channel = channel(prefix)

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        through = streams_through(events, Order.stream_type)
        if not through:
            return
        batch = {e.event_id for e in events}
        for steps in (await replay_orders(conn, self._registry, through)).values():
            for step in steps:
                if step.stored.event_id in batch:
                    await self._redis.publish(self._channel, encode(step.update))
