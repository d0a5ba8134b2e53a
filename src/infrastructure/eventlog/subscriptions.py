"""Subscribers read the event log in order from a checkpoint, exactly once in effect (ADR 0005).

Rows are read below the transaction horizon, so none can appear behind a checkpoint later; one
process leads each subscriber, by a session advisory lock on a connection that also LISTENs for
appends (if it dies, the lock goes with its connection and another takes over at its next poll).
A batch subscriber's effects and its fenced checkpoint update commit together; a stream reactor
handles many streams at once, each in order, and its checkpoint follows the watermark of what
finished (ADR 0021). Each is woken only by appends of what it declares it handles."""

import asyncio
import contextlib
import hashlib
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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
from infrastructure.eventlog.streams import PipelineBounds, StreamPipeline
from infrastructure.eventlog.subscribers import (
    FailurePolicy,
    StreamReactor,
    Subscriber,
    interest_of,
)
from infrastructure.eventlog.tables import subscription_dead_letters

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class RunnerConfig:
    """Batching, polling, backoff and, for stream reactors, the pipeline's bounds (the worker
    fills it from WorkerSettings). `max_pending` and `max_ahead` default to 2x and 16x
    `max_in_flight`; `stop_grace` is how long running reactions may finish on a clean stop."""

    batch_size: int = 500
    poll_interval: float = 1.0
    max_attempts: int = 5
    backoff_base: float = 0.05
    backoff_cap: float = 5.0
    connect_timeout: float = 10.0
    max_in_flight: int = 64
    max_pending: int | None = None
    max_ahead: int | None = None
    checkpoint_interval: float = 0.02
    stop_grace: float = 5.0

    def pipeline_bounds(self) -> PipelineBounds:
        pending = self.max_pending or 2 * self.max_in_flight
        return PipelineBounds(
            max_in_flight=self.max_in_flight,
            max_pending=max(pending, self.max_in_flight),
            max_ahead=self.max_ahead or 16 * self.max_in_flight,
            flush_interval=self.checkpoint_interval,
        )


HORIZON_RETRY_SECONDS = 0.005


class SubscriberStopped(Exception):
    """A projection gave up on an event; it stays stopped until resumed or rebuilt."""


def lock_key(name: str) -> int:
    digest = hashlib.sha256(f"agora.subscription:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class SubscriptionRunner:
    """Runs one subscriber: wins leadership, then processes the log until told to stop.

    `run` outlives any failure: a lost connection, a database restart or a bug in a handler
    is logged, backed off and retried; only `stop` ends it."""

    def __init__(
        self, subscriber: Subscriber, *, engine: AsyncEngine, dsn: str, config: RunnerConfig
    ) -> None:
        self.subscriber = subscriber
        self.interest = interest_of(subscriber)
        self._reactor = subscriber if isinstance(subscriber, StreamReactor) else None
        self._engine = engine
        self._dsn = dsn
        self._config = config
        self.is_leader = False
        self._checkpoint_exists = False
        self._stop = asyncio.Event()

    @property
    def name(self) -> str:
        return self.subscriber.name

    async def run(self, stop: asyncio.Event) -> None:
        self._stop = stop
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

            def on_append(_conn: object, _pid: int, _channel: str, payload: str) -> None:
                if self.interest.woken_by(payload):
                    wake.set()

            await lock_conn.add_listener(NOTIFY_CHANNEL, on_append)
            if self._reactor is not None:
                await self._lead_streams(self._reactor, lock_conn, wake, stop)
            else:
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
                stopped_reported = self._report_stopped(stopped_reported)
                processed, notified = 0, False
            if processed:
                soon = 0.0
                continue
            soon = _look_again(soon, notified=notified, poll=self._config.poll_interval)
            await _wait_any(wake, stop, seconds=soon or self._config.poll_interval)

    def _report_stopped(self, reported: bool) -> bool:
        if not reported:
            log.error("subscriber stopped", extra={"subscriber": self.name})
        return True

    async def _ensure_checkpoint(self) -> None:
        if not self._checkpoint_exists:
            await ensure_checkpoint(self._engine, self.name)
            self._checkpoint_exists = True

    async def step(self, stop: asyncio.Event | None = None) -> int:
        """Process one batch; the number of events read (0 when caught up). A stream reactor's
        batch runs through its lanes, and its checkpoint follows what finished even when a
        reaction fails."""
        stop = stop or asyncio.Event()
        await self._ensure_checkpoint()
        checkpoint = await read_checkpoint(self._engine, self.name)
        if checkpoint.status == "stopped":
            raise SubscriberStopped(self.name)
        events = await read_after(self._engine, checkpoint, limit=self._config.batch_size)
        if not events:
            return 0
        if self._reactor is not None:
            pipeline = self._pipeline(self._reactor, checkpoint)
            try:
                await pipeline.feed(events)
                await pipeline.drain()
            finally:
                await pipeline.close(grace=0)
            return len(events)
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
        """Hand over the events the subscriber handles; the checkpoint passes them all."""
        last = events[-1]
        wanted = [e for e in events if self.interest.wants(e)]
        subscriber = self.subscriber
        assert not isinstance(subscriber, StreamReactor)
        async with self._engine.begin() as conn:
            if wanted:
                await subscriber.handle(wanted, conn)
            await advance(conn, self.name, checkpoint, last)
        return Checkpoint(last.transaction_id, last.position, checkpoint.status)

    # -- stream reactors: many streams at once, each in order (ADR 0021) -------------------

    def _pipeline(self, reactor: StreamReactor, checkpoint: Checkpoint) -> StreamPipeline:
        return StreamPipeline(
            name=self.name,
            engine=self._engine,
            checkpoint=checkpoint,
            react=partial(self._react, reactor),
            wants=reactor.interest.wants,
            bounds=self._config.pipeline_bounds(),
        )

    async def _lead_streams(
        self,
        reactor: StreamReactor,
        lock_conn: asyncpg.Connection,
        wake: asyncio.Event,
        stop: asyncio.Event,
    ) -> None:
        stopped_reported = False
        while not stop.is_set() and not lock_conn.is_closed():
            try:
                await self._stream_term(reactor, lock_conn, wake, stop)
                stopped_reported = False
            except LostLeadership:
                continue
            except SubscriberStopped:
                stopped_reported = self._report_stopped(stopped_reported)
                await _wait_any(stop, seconds=self._config.poll_interval)

    async def _stream_term(
        self,
        reactor: StreamReactor,
        lock_conn: asyncpg.Connection,
        wake: asyncio.Event,
        stop: asyncio.Event,
    ) -> None:
        """Read ahead into the pipeline until stopped, the lock is lost or something fails;
        in-flight reactions are finished or cancelled, and awaited, before it returns."""
        await self._ensure_checkpoint()
        checkpoint = await read_checkpoint(self._engine, self.name)
        if checkpoint.status == "stopped":
            raise SubscriberStopped(self.name)
        pipeline = self._pipeline(reactor, checkpoint)
        cursor, soon, grace = checkpoint, 0.0, 0.0
        try:
            while not stop.is_set() and not lock_conn.is_closed():
                notified = wake.is_set()
                wake.clear()
                events = await read_after(self._engine, cursor, limit=self._config.batch_size)
                if events:
                    await pipeline.feed(events)
                    last = events[-1]
                    cursor = Checkpoint(last.transaction_id, last.position, checkpoint.status)
                    soon = 0.0
                    continue
                soon = _look_again(soon, notified=notified, poll=self._config.poll_interval)
                await _wait_any(
                    wake, stop, seconds=soon or self._config.poll_interval, task=pipeline.failed
                )
                pipeline.raise_if_failed()
            grace = self._config.stop_grace if stop.is_set() else 0.0
        finally:
            await pipeline.close(grace=grace)

    async def _react(self, reactor: StreamReactor, event: StoredEvent) -> None:
        """One event, under the failure policy: retried with backoff; then parked (its stream
        goes on), or the subscriber stopped; RETRY never gives up. Until then the stream's later
        events wait in its lane; other streams carry on."""
        attempt = 0
        while True:
            attempt += 1
            try:
                await reactor.react(event)
                return
            except LostLeadership:
                raise
            except Exception as exc:
                forever = reactor.on_failure is FailurePolicy.RETRY
                if is_transient(exc) and not forever:
                    raise
                await self._note_failure(attempt, exc)
                if forever or attempt < self._config.max_attempts:
                    if self._stop.is_set():
                        raise LostLeadership("stopping") from exc
                    await _sleep_unless(self._stop, self._backoff(attempt))
                    continue
                if reactor.on_failure is FailurePolicy.STOP:
                    await set_status(self._engine, self.name, "stopped", error=_describe(exc))
                    raise SubscriberStopped(self.name) from exc
                async with self._engine.begin() as conn:
                    await self._park(conn, event, exc)
                return

    # -- failure policies of batch subscribers ---------------------------------------------

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
            async with self._engine.begin() as conn:
                await self._park(conn, event, exc)
                await advance(conn, self.name, checkpoint, event)
            return Checkpoint(event.transaction_id, event.position, checkpoint.status)

    async def _park(self, conn: AsyncConnection, event: StoredEvent, exc: Exception) -> None:
        """Record the event in the dead-letter table (once: a re-run after a crash parks it
        again under the same key)."""
        await conn.execute(
            insert(subscription_dead_letters)
            .values(
                subscription=self.name,
                position=event.position,
                event_id=event.event_id,
                event_type=event.event_type,
                error=_describe(exc),
                attempts=self._config.max_attempts,
            )
            .on_conflict_do_nothing()
        )
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


def _look_again(soon: float, *, notified: bool, poll: float) -> float:
    """Woken, yet nothing readable: the new event is still above the horizon because an older
    transaction is open, and its commit sends no notification. Look again soon, backing off,
    instead of waiting a whole poll interval (0: wait for the poll)."""
    soon = HORIZON_RETRY_SECONDS if notified else soon * 2
    return 0.0 if soon >= poll else soon


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _wait_any(
    *events: asyncio.Event, seconds: float, task: "asyncio.Task[None] | None" = None
) -> None:
    """Until one of the events is set, `task` ends, or `seconds` pass."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    watched: list[asyncio.Future[Any]] = [*waiters, *([task] if task is not None else [])]
    try:
        await asyncio.wait(watched, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def _close_quietly(conn: Any) -> None:
    try:
        await asyncio.wait_for(conn.close(), 5)
    except (OSError, TimeoutError, asyncpg.InterfaceError):
        conn.terminate()
