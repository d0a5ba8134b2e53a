"""Subscribers read the event log in order from a checkpoint, exactly once in effect (ADR 0005).

Rows are read below the transaction horizon, so none can appear behind a checkpoint later; a
batch's effects and its fenced checkpoint update commit together; one process leads each
subscriber, by a session advisory lock on a connection that also LISTENs for appends (if it
dies, the lock goes with its connection and another takes over at its next poll)."""

import asyncio
import contextlib
import hashlib
import logging
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import asyncpg
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.shared.context import CallContext, current_call
from infrastructure.db.transient import is_transient
from infrastructure.eventlog.checkpoints import (
    Checkpoint,
    LostLeadership,
    advance,
    ensure_checkpoint,
    read_after,
    read_checkpoint,
    set_status,
    update_checkpoint,
)
from infrastructure.eventlog.store import NOTIFY_CHANNEL, StoredEvent
from infrastructure.eventlog.tables import subscription_dead_letters

log = logging.getLogger(__name__)


class FailurePolicy(StrEnum):
    """What a subscriber does when one event keeps failing."""

    STOP = "stop"  # projections: a read model with a hole is worse than a stale one
    PARK = "park"  # side effects: record it in the dead-letter table and go on
    RETRY = "retry"  # the relay: the broker will come back; never skip, never give up


class Subscriber(Protocol):
    """Reacts to batches of stored events inside the transaction that moves its checkpoint."""

    @property
    def name(self) -> str: ...

    @property
    def on_failure(self) -> FailurePolicy: ...

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None: ...


@runtime_checkable
class Projection(Subscriber, Protocol):
    """A subscriber that builds a read model it can drop and rebuild from the log."""

    async def reset(self, conn: AsyncConnection) -> None: ...


@dataclass(frozen=True, kw_only=True)
class RunnerConfig:
    """Batching, polling and backoff of a runner (the worker fills it from WorkerSettings)."""

    batch_size: int = 500
    poll_interval: float = 1.0
    max_attempts: int = 5
    backoff_base: float = 0.05
    backoff_cap: float = 5.0
    connect_timeout: float = 10.0


HORIZON_RETRY_SECONDS = 0.005


class SubscriberStopped(Exception):
    """A projection gave up on an event; it stays stopped until resumed or rebuilt."""


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


def lock_key(name: str) -> int:
    digest = hashlib.sha256(f"agora.subscription:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class SubscriptionRunner:
    """Runs one subscriber: wins leadership, then processes batches until told to stop.

    `run` outlives any failure: a lost connection, a database restart or a bug in a handler
    is logged, backed off and retried; only `stop` ends it."""

    def __init__(
        self, subscriber: Subscriber, *, engine: AsyncEngine, dsn: str, config: RunnerConfig
    ) -> None:
        self.subscriber = subscriber
        self._engine = engine
        self._dsn = dsn
        self._config = config
        self.is_leader = False
        self._checkpoint_exists = False

    @property
    def name(self) -> str:
        return self.subscriber.name

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                await self._lead_while_possible(stop)
                failures = 0
            except Exception:
                failures += 1
                log.exception("subscriber failed; retrying", extra={"subscriber": self.name})
            pause = self._config.poll_interval * 2.0 ** min(failures, 5)
            await _sleep_unless(
                stop, min(pause, max(self._config.poll_interval, self._config.backoff_cap))
            )

    async def _lead_while_possible(self, stop: asyncio.Event) -> None:
        """Lead until stopped or the lock connection drops; return at once if someone else leads."""
        lock_conn: asyncpg.Connection = await asyncpg.connect(
            self._dsn,
            timeout=self._config.connect_timeout,
            # A worker that vanishes (power, network) must not keep its lock for the OS's
            # default keepalive of two hours: the server probes the connection quickly.
            server_settings={
                "application_name": f"agora:{self.name}",
                "tcp_keepalives_idle": "10",
                "tcp_keepalives_interval": "5",
                "tcp_keepalives_count": "3",
            },
        )
        try:
            if not await lock_conn.fetchval("SELECT pg_try_advisory_lock($1)", lock_key(self.name)):
                return
            self.is_leader = True
            log.info("subscriber leading", extra={"subscriber": self.name})
            wake = asyncio.Event()
            await lock_conn.add_listener(NOTIFY_CHANNEL, lambda *_: wake.set())
            await self._lead(lock_conn, wake, stop)
        finally:
            self.is_leader = False
            await _close_quietly(lock_conn)

    async def _lead(
        self, lock_conn: asyncpg.Connection, wake: asyncio.Event, stop: asyncio.Event
    ) -> None:
        stopped_reported = False
        soon = 0.0  # > 0 while a notified event may still be above the horizon
        while not stop.is_set() and not lock_conn.is_closed():
            notified = wake.is_set()
            wake.clear()
            try:
                processed = await self.step(stop)
                stopped_reported = False
            except LostLeadership:
                continue  # re-read the checkpoint (a rebuild resets it)
            except SubscriberStopped:
                # Stay leader, so no other worker spins on it; `resume` or `rebuild` flips the
                # status and the next poll carries on.
                if not stopped_reported:
                    log.error("subscriber stopped", extra={"subscriber": self.name})
                    stopped_reported = True
                processed, notified = 0, False
            if processed:
                soon = 0.0
                continue
            # Woken, yet nothing readable: the new event is still above the horizon because an
            # older transaction is open, and its commit sends no notification. Look again soon,
            # backing off, instead of waiting a whole poll interval.
            soon = HORIZON_RETRY_SECONDS if notified else soon * 2
            if soon >= self._config.poll_interval:
                soon = 0.0
            await _wait_any(wake, stop, seconds=soon or self._config.poll_interval)

    async def step(self, stop: asyncio.Event | None = None) -> int:
        """Process one batch; the number of events handled (0 when caught up)."""
        stop = stop or asyncio.Event()
        if not self._checkpoint_exists:
            await ensure_checkpoint(self._engine, self.name)
            self._checkpoint_exists = True
        checkpoint = await read_checkpoint(self._engine, self.name)
        if checkpoint.status == "stopped":
            raise SubscriberStopped(self.name)
        events = await read_after(self._engine, checkpoint, limit=self._config.batch_size)
        if not events:
            return 0
        if self.subscriber.on_failure is FailurePolicy.RETRY:
            await self._with_retries(events, checkpoint, stop)
            return len(events)
        try:
            await self._apply(events, checkpoint)
        except LostLeadership:
            raise
        except Exception as exc:
            if is_transient(exc):
                raise
            for event in events:  # isolate the failing event: one transaction per event
                checkpoint = await self._one_with_policy(event, checkpoint, stop)
        return len(events)

    async def _apply(self, events: Sequence[StoredEvent], checkpoint: Checkpoint) -> Checkpoint:
        last = events[-1]
        async with self._engine.begin() as conn:
            await self.subscriber.handle(events, conn)
            await advance(conn, self.name, checkpoint, last)
        return Checkpoint(last.transaction_id, last.position, checkpoint.status)

    async def _with_retries(
        self, events: Sequence[StoredEvent], checkpoint: Checkpoint, stop: asyncio.Event
    ) -> Checkpoint:
        """Apply with backoff. Connection failures go up to `run` uncounted; the policy only
        ever judges the handler's own failures."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._apply(events, checkpoint)
            except LostLeadership:
                raise
            except Exception as exc:
                forever = self.subscriber.on_failure is FailurePolicy.RETRY
                if is_transient(exc) and not forever:
                    raise
                await self._note_failure(attempt, exc)
                if not forever and attempt >= self._config.max_attempts:
                    raise
                if stop.is_set():
                    raise LostLeadership("stopping") from exc
                await _sleep_unless(stop, self._backoff(attempt))

    async def _one_with_policy(
        self, event: StoredEvent, checkpoint: Checkpoint, stop: asyncio.Event
    ) -> Checkpoint:
        try:
            return await self._with_retries([event], checkpoint, stop)
        except LostLeadership:
            raise
        except Exception as exc:
            if is_transient(exc):
                raise
            if self.subscriber.on_failure is FailurePolicy.STOP:
                await set_status(self._engine, self.name, "stopped", error=_describe(exc))
                raise SubscriberStopped(self.name) from exc
            await self._park(event, checkpoint, exc)
            return Checkpoint(event.transaction_id, event.position, checkpoint.status)

    async def _park(self, event: StoredEvent, checkpoint: Checkpoint, exc: Exception) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(subscription_dead_letters).values(
                    subscription=self.name,
                    position=event.position,
                    event_id=event.event_id,
                    event_type=event.event_type,
                    error=_describe(exc),
                    attempts=self._config.max_attempts,
                )
            )
            await advance(conn, self.name, checkpoint, event)
        log.error(
            "event parked",
            extra={"subscriber": self.name, "position": event.position, "error": _describe(exc)},
        )

    async def _note_failure(self, attempt: int, exc: Exception) -> None:
        log.warning(
            "subscriber failed",
            extra={"subscriber": self.name, "attempt": attempt, "error": _describe(exc)},
        )
        async with self._engine.begin() as conn:
            await conn.execute(
                update_checkpoint(self.name, attempts=attempt, last_error=_describe(exc))
            )

    def _backoff(self, attempt: int) -> float:
        delay = min(self._config.backoff_cap, self._config.backoff_base * 2.0 ** (attempt - 1))
        jitter: float = random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography
        return delay * jitter


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _wait_any(*events: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def _close_quietly(conn: Any) -> None:
    try:
        await asyncio.wait_for(conn.close(), 5)
    except (OSError, TimeoutError, asyncpg.InterfaceError):
        conn.terminate()
