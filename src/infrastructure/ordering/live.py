"""Live order updates across API replicas, through Redis pub/sub.

The `order-updates` subscriber of the event log publishes each order event, once committed, to
one Redis channel. Every API process holds one subscription to that channel (`RedisOrderFeed`)
and hands each message to the queues of its own SSE and WebSocket clients, so a client on any
replica sees every change, whichever process or worker made it. Pub/sub delivers at most once;
clients that reconnect resume from the event log (`SqlOrderHistory`), so nothing is lost."""

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.ordering.ports import LiveUpdatesUnavailable
from application.ordering.views import OrderUpdate
from domain.ordering.events import OrderEvent
from domain.ordering.order import Order, order_stream
from domain.ordering.values import OrderStatus
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.subscriptions import FailurePolicy
from infrastructure.eventlog.tables import event_log
from infrastructure.ordering.event_types import ORDER_STREAM
from infrastructure.ordering.projection import describe

log = logging.getLogger(__name__)


READY_TIMEOUT_SECONDS = 5.0


def channel(prefix: str) -> str:
    return f"{prefix}:order-updates"


async def order_updates(
    conn: AsyncConnection, registry: EventRegistry, order_id: UUID, *, after_version: int
) -> list[OrderUpdate]:
    """Replay the order's stream and describe each event after `after_version`."""
    rows = await conn.execute(
        select(event_log)
        .where(event_log.c.stream_id == order_stream(order_id))
        .order_by(event_log.c.stream_version)
    )
    events = [
        (r.stream_version, registry.deserialize(r.event_type, r.schema_version, dict(r.payload)))
        for r in rows
    ]
    updates = []
    for n, (version, event) in enumerate(events, start=1):
        if version <= after_version:
            continue
        order = Order.replay(e for _, e in events[:n])  # the state right after this event
        assert isinstance(event, OrderEvent)
        updates.append(
            OrderUpdate(
                order_id=order.id,
                customer_id=order.state.customer_id,
                version=version,
                event_type=type(event).__name__,
                status=order.status,
                occurred_at=event.occurred_at,
                summary=describe(event)[1],
            )
        )
    return updates


class SqlOrderHistory:
    """The `OrderHistory` port: missed updates, straight from the log."""

    def __init__(self, engine: AsyncEngine, registry: EventRegistry) -> None:
        self._engine = engine
        self._registry = registry

    async def updates(self, order_id: UUID, *, after_version: int) -> list[OrderUpdate]:
        async with self._engine.connect() as conn:
            return await order_updates(conn, self._registry, order_id, after_version=after_version)


class OrderUpdatesPublisher:
    """A log subscriber: publishes each committed order event to Redis. Retried while Redis
    is away (never skipped); a re-sent update is harmless, clients drop versions they have."""

    name = "order-updates"
    on_failure = FailurePolicy.RETRY

    def __init__(self, redis: Redis, registry: EventRegistry, *, prefix: str) -> None:
        self._redis = redis
        self._registry = registry
        self._channel = channel(prefix)

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        batch: dict[UUID, set[int]] = defaultdict(set)
        for stored in events:
            if stored.stream_type == ORDER_STREAM:
                batch[UUID(stored.stream_id.removeprefix("order-"))].add(stored.stream_version)
        for order_id, versions in batch.items():
            after = min(versions) - 1
            for update in await order_updates(conn, self._registry, order_id, after_version=after):
                if update.version in versions:
                    await self._redis.publish(self._channel, encode(update))


def encode(update: OrderUpdate) -> str:
    return json.dumps(
        {
            "order_id": str(update.order_id),
            "customer_id": str(update.customer_id),
            "version": update.version,
            "event_type": update.event_type,
            "status": update.status.value,
            "occurred_at": update.occurred_at.isoformat(),
            "summary": update.summary,
        }
    )


def decode(raw: bytes | str) -> OrderUpdate:
    body: dict[str, Any] = json.loads(raw)
    return OrderUpdate(
        order_id=UUID(body["order_id"]),
        customer_id=UUID(body["customer_id"]),
        version=int(body["version"]),
        event_type=str(body["event_type"]),
        status=OrderStatus(body["status"]),
        occurred_at=datetime.fromisoformat(body["occurred_at"]),
        summary=str(body["summary"]),
    )


class RedisOrderFeed:
    """The `OrderFeed` port: one Redis subscription per process, fanned out to local queues.

    A client that does not keep up (its queue is full) is sent None and dropped; it reconnects
    with Last-Event-ID and catches up from the log, so one slow client never holds up others."""

    def __init__(self, redis: Redis, *, prefix: str, queue_size: int = 100) -> None:
        self._redis = redis
        self._channel = channel(prefix)
        self._queue_size = queue_size
        self._queues: set[asyncio.Queue[OrderUpdate | None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    @property
    def listeners(self) -> int:
        return len(self._queues)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator["asyncio.Queue[OrderUpdate | None]"]:
        await self._start()
        queue: asyncio.Queue[OrderUpdate | None] = asyncio.Queue(self._queue_size)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name="order-feed")
        try:
            await asyncio.wait_for(self._ready.wait(), READY_TIMEOUT_SECONDS)
        except TimeoutError:
            raise LiveUpdatesUnavailable("live updates are unavailable (Redis)") from None

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self._channel)
                    self._ready.set()
                    while True:
                        message = await pubsub.get_message(timeout=1.0)
                        if message is not None:
                            self._deliver(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis went away: clients resume from the log later
                log.exception("order feed lost its Redis subscription; reconnecting")
                # Until subscribed again, new clients wait in `subscribe` (or are refused),
                # instead of listening to a channel nobody receives for them.
                self._ready.clear()
                self._drop_all()
                await asyncio.sleep(1.0)

    def _deliver(self, raw: bytes | str) -> None:
        try:
            update = decode(raw)
        except (ValueError, KeyError, TypeError):
            log.warning("order feed ignored a malformed message")
            return
        self._fan_out(update)

    def _fan_out(self, update: OrderUpdate) -> None:
        for queue in list(self._queues):
            try:
                queue.put_nowait(update)
            except asyncio.QueueFull:
                self._drop(queue)

    def _drop_all(self) -> None:
        for queue in list(self._queues):
            self._drop(queue)

    def _drop(self, queue: "asyncio.Queue[OrderUpdate | None]") -> None:
        self._queues.discard(queue)
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(None)
