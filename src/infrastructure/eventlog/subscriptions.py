"""Subscribers read the event log in order from a checkpoint, exactly once in effect.

Ordering (ADR 0005): rows carry the id of the transaction that wrote them. A reader takes only
rows whose transaction id is below the oldest transaction still running
(`pg_snapshot_xmin(pg_current_snapshot())`) — those transactions have all ended, so nothing can
appear behind the checkpoint later — and reads in (transaction id, position) order.

Exactly once: a subscriber's effects and its new checkpoint commit in one transaction, and the
checkpoint update is fenced on the old value, so a deposed leader's batch rolls back.

One active instance: a session-level advisory lock per subscriber, on a dedicated connection
that also LISTENs for appends. If the process dies, the connection drops, the lock is freed,
and another process's runner takes over at its next poll."""

import asyncio
import contextlib
import hashlib
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import asyncpg
from sqlalchemy import func, insert, literal, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infrastructure.eventlog.store import NOTIFY_CHANNEL, StoredEvent
from infrastructure.eventlog.tables import (
    event_log,
    subscription_checkpoints,
    subscription_dead_letters,
)

log = logging.getLogger(__name__)

HORIZON = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


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


class Projection(Subscriber, Protocol):
    """A subscriber that builds a read model it can drop and rebuild from the log."""

    async def reset(self, conn: AsyncConnection) -> None: ...


@dataclass(frozen=True)
class Checkpoint:
    transaction_id: int
    position: int
    status: str


@dataclass(frozen=True, kw_only=True)
class RunnerConfig:
    batch_size: int = 500
    poll_interval: float = 1.0
    max_attempts: int = 5
    backoff_base: float = 0.05
    backoff_cap: float = 5.0


class LostLeadership(Exception):
    """The checkpoint moved under us: another instance (or a rebuild) took over."""


class SubscriberStopped(Exception):
    """A projection gave up on an event; it stays stopped until resumed or rebuilt."""


def lock_key(name: str) -> int:
    digest = hashlib.sha256(f"agora.subscription:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class SubscriptionRunner:
    """Runs one subscriber: wins leadership, then processes batches until told to stop."""

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
        while not stop.is_set():
            try:
                if await self._lead_if_possible(stop):
                    return
            except SubscriberStopped:
                log.error("subscriber stopped", extra={"subscriber": self.name})
                return
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning(
                    "subscriber connection lost", extra={"subscriber": self.name, "error": str(exc)}
                )
            await _sleep_unless(stop, self._config.poll_interval)

    async def _lead_if_possible(self, stop: asyncio.Event) -> bool:
        """True when stopped; False to try again later."""
        lock_conn: asyncpg.Connection = await asyncpg.connect(self._dsn)
        try:
            if not await lock_conn.fetchval("SELECT pg_try_advisory_lock($1)", lock_key(self.name)):
                return False
            self.is_leader = True
            log.info("subscriber leading", extra={"subscriber": self.name})
            wake = asyncio.Event()
            await lock_conn.add_listener(NOTIFY_CHANNEL, lambda *_: wake.set())
            while not stop.is_set():
                if lock_conn.is_closed():
                    return False
                wake.clear()
                try:
                    processed = await self.step(stop)
                except LostLeadership:
                    continue  # re-read the checkpoint (a rebuild resets it)
                if processed == 0:
                    await _wait_any(wake, stop, seconds=self._config.poll_interval)
            return True
        finally:
            self.is_leader = False
            await _close_quietly(lock_conn)

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
        policy = self.subscriber.on_failure
        if policy is FailurePolicy.RETRY:
            await self._with_retries(events, checkpoint, stop)
            return len(events)
        try:
            await self._apply(events, checkpoint)
        except LostLeadership:
            raise
        except Exception:  # isolate the failing event: one transaction per event
            for event in events:
                checkpoint = await self._one_with_policy(event, checkpoint, stop)
        return len(events)

    async def _apply(self, events: Sequence[StoredEvent], checkpoint: Checkpoint) -> Checkpoint:
        last = events[-1]
        async with self._engine.begin() as conn:
            await self.subscriber.handle(events, conn)
            await _advance(conn, self.name, checkpoint, last)
        return Checkpoint(last.transaction_id, last.position, checkpoint.status)

    async def _with_retries(
        self, events: Sequence[StoredEvent], checkpoint: Checkpoint, stop: asyncio.Event
    ) -> Checkpoint:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._apply(events, checkpoint)
            except LostLeadership:
                raise
            except Exception as exc:
                await self._note_failure(attempt, exc)
                if self.subscriber.on_failure is not FailurePolicy.RETRY and (
                    attempt >= self._config.max_attempts
                ):
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
            if self.subscriber.on_failure is FailurePolicy.STOP:
                await _set_status(self._engine, self.name, "stopped", error=_describe(exc))
                raise SubscriberStopped(self.name) from exc
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
                await _advance(conn, self.name, checkpoint, event)
            log.error(
                "event parked",
                extra={
                    "subscriber": self.name,
                    "position": event.position,
                    "error": _describe(exc),
                },
            )
            return Checkpoint(event.transaction_id, event.position, checkpoint.status)

    async def _note_failure(self, attempt: int, exc: Exception) -> None:
        log.warning(
            "subscriber failed",
            extra={"subscriber": self.name, "attempt": attempt, "error": _describe(exc)},
        )
        async with self._engine.begin() as conn:
            await conn.execute(
                update(subscription_checkpoints)
                .where(subscription_checkpoints.c.name == self.name)
                .values(attempts=attempt, last_error=_describe(exc), updated_at=func.now())
            )

    def _backoff(self, attempt: int) -> float:
        delay = min(self._config.backoff_cap, self._config.backoff_base * 2.0 ** (attempt - 1))
        jitter: float = random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography
        return delay * jitter


async def ensure_checkpoint(engine: AsyncEngine, name: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            pg_insert(subscription_checkpoints).values(name=name).on_conflict_do_nothing()
        )


async def read_checkpoint(engine: AsyncEngine, name: str) -> Checkpoint:
    query = select(
        subscription_checkpoints.c.transaction_id,
        subscription_checkpoints.c.position,
        subscription_checkpoints.c.status,
    ).where(subscription_checkpoints.c.name == name)
    async with engine.connect() as conn:
        row = (await conn.execute(query)).one()
    return Checkpoint(row.transaction_id, row.position, row.status)


async def read_after(
    engine: AsyncEngine, checkpoint: Checkpoint, *, limit: int
) -> list[StoredEvent]:
    """Committed events after the checkpoint, below the horizon, in subscriber order."""
    after = tuple_(literal(checkpoint.transaction_id), literal(checkpoint.position))
    query = (
        select(event_log)
        .where(tuple_(event_log.c.transaction_id, event_log.c.position) > after)
        .where(event_log.c.transaction_id < HORIZON)
        .order_by(event_log.c.transaction_id, event_log.c.position)
        .limit(limit)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [StoredEvent.from_row(r._mapping) for r in rows]


async def _advance(
    conn: AsyncConnection, name: str, checkpoint: Checkpoint, last: StoredEvent
) -> None:
    result = await conn.execute(
        update(subscription_checkpoints)
        .where(
            subscription_checkpoints.c.name == name,
            subscription_checkpoints.c.transaction_id == checkpoint.transaction_id,
            subscription_checkpoints.c.position == checkpoint.position,
        )
        .values(
            transaction_id=last.transaction_id,
            position=last.position,
            attempts=0,
            last_error=None,
            updated_at=func.now(),
        )
    )
    if result.rowcount != 1:
        raise LostLeadership(name)


async def _set_status(engine: AsyncEngine, name: str, status: str, *, error: str | None) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(subscription_checkpoints)
            .where(subscription_checkpoints.c.name == name)
            .values(status=status, last_error=error, updated_at=func.now())
        )


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
