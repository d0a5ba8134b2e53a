"""Appending to and reading from the event log, on the caller's connection and transaction.

Append rules: the batch is all-or-nothing; `expected_version` guards against concurrent
writers; appending event ids that are already stored is a duplicate, not a conflict."""

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.context import current_call
from application.shared.errors import ConcurrencyConflict
from domain.shared.events import DomainEvent
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.tables import event_log

NOTIFY_CHANNEL = "agora_event_log"  # also named in the event_log trigger's migration
NO_STREAM = 0

_CHECKS = text(
    """
    SELECT (SELECT count(*) FROM event_log WHERE event_id = ANY(:ids)),
           coalesce(max(stream_version), 0),
           max(transaction_id),
           pg_current_xact_id()::text::bigint
      FROM event_log
     WHERE stream_id = :stream_id
    """
)


@dataclass(frozen=True)
class PendingEvent:
    """An event about to be appended, with the id that makes re-appending it harmless."""

    event_id: UUID
    event: DomainEvent

    @classmethod
    def new(cls, event: DomainEvent) -> "PendingEvent":
        return cls(event_id=uuid.uuid4(), event=event)


@dataclass(frozen=True)
class StoredEvent:
    """One row of the log, as subscribers and the relay see it."""

    position: int
    transaction_id: int
    stream_type: str
    stream_id: str
    stream_version: int
    event_id: UUID
    event_type: str
    schema_version: int
    payload: Mapping[str, Any]
    metadata: Mapping[str, Any]
    recorded_at: datetime

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> "StoredEvent":
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class AppendResult:
    """The stream's version after the append; `duplicate` when the events were already there."""

    version: int
    duplicate: bool = False


class EventStore:
    """The event log seen through one connection (the unit of work's)."""

    def __init__(self, conn: AsyncConnection, registry: EventRegistry) -> None:
        self._conn = conn
        self._registry = registry

    async def append(
        self,
        *,
        stream_type: str,
        stream_id: str,
        events: Sequence[PendingEvent],
        expected_version: int | None,
    ) -> AppendResult:
        """Append after `expected_version` (NO_STREAM for a new stream, None for any)."""
        ids = [p.event_id for p in events]
        # One round trip for every check: stored ids of this batch, the stream's version and
        # last writer, and our own transaction id.
        stored_count, current, last_xid, my_xid = (
            await self._conn.execute(_CHECKS, {"stream_id": stream_id, "ids": ids})
        ).one()
        if stored_count == len(ids):
            return AppendResult(version=current, duplicate=True)
        if stored_count:
            raise ConcurrencyConflict(
                f"stream {stream_id}: some of these events are stored already"
            )
        if expected_version is not None and current != expected_version:
            raise ConcurrencyConflict(
                f"stream {stream_id} is at version {current}, not {expected_version}"
            )
        if last_xid is not None and last_xid > my_xid:
            # Subscribers read in transaction-id order; a stream must never go backwards in it.
            # A transaction that began writing before the stream's last append hits this (a
            # retry gets a newer id); writers of contended streams avoid it with lock_streams().
            raise ConcurrencyConflict(f"stream {stream_id} moved on; retry in a new transaction")
        rows = [
            self._row(pending, stream_type, stream_id, current + n)
            for n, pending in enumerate(events, start=1)
        ]
        try:
            # A unique violation aborts the whole transaction; the caller's unit of work rolls
            # back, so no savepoint is needed. A statement trigger NOTIFYs subscribers on commit.
            await self._conn.execute(insert(event_log), rows)
        except IntegrityError as exc:
            raise ConcurrencyConflict(f"stream {stream_id} was appended to concurrently") from exc
        return AppendResult(version=current + len(events))

    async def append_outbox(
        self, batches: Sequence[tuple[str, str, Sequence[DomainEvent]]]
    ) -> None:
        """Append the new events of state-stored aggregates (stream type, stream id, events),
        after whatever each stream holds: one check query and one INSERT for all of them.
        Their rows' own version checks or locks already serialised writers of each stream."""
        batches = [(t, s, e) for t, s, e in batches if e]
        if not batches:
            return
        stream_ids = [s for _, s, _ in batches]
        rows = (await self._conn.execute(_OUTBOX_CHECKS, {"stream_ids": stream_ids})).all()
        my_xid = (
            await self._conn.execute(text("SELECT pg_current_xact_id()::text::bigint"))
        ).scalar_one()
        current = {r.stream_id: (r.version, r.last_xid) for r in rows}
        values = []
        for stream_type, stream_id, events in batches:
            version, last_xid = current.get(stream_id, (0, None))
            if last_xid is not None and last_xid > my_xid:
                raise ConcurrencyConflict(
                    f"stream {stream_id} moved on; retry in a new transaction"
                )
            values += [
                self._row(PendingEvent.new(e), stream_type, stream_id, version + n)
                for n, e in enumerate(events, start=1)
            ]
            current[stream_id] = (version + len(events), last_xid)  # the same stream again
        try:
            await self._conn.execute(insert(event_log), values)
        except IntegrityError as exc:
            raise ConcurrencyConflict("a stream was appended to concurrently") from exc

    async def lock_streams(self, stream_ids: Iterable[str]) -> None:
        """Serialise this transaction with every other writer of these streams until it ends.

        Call it before the transaction's first write. An advisory lock assigns no transaction
        id, so whoever waits here gets its id only after the previous writer committed: the
        streams' events then reach subscribers in version order (ADR 0005). Locks are taken in
        one global order, so two writers of overlapping streams cannot deadlock."""
        for key in sorted({stream_lock_key(s) for s in stream_ids}):
            await self._conn.execute(select(func.pg_advisory_xact_lock(key)))

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        rows = await self._conn.execute(
            select(event_log)
            .where(event_log.c.stream_id == stream_id)
            .order_by(event_log.c.stream_version)
        )
        return [StoredEvent.from_row(r._mapping) for r in rows]

    def _row(
        self, pending: PendingEvent, stream_type: str, stream_id: str, version: int
    ) -> dict[str, Any]:
        entry, payload = self._registry.serialize(pending.event)
        return {
            "stream_type": stream_type,
            "stream_id": stream_id,
            "stream_version": version,
            "event_id": pending.event_id,
            "event_type": entry.name,
            "schema_version": entry.version,
            "payload": payload,
            "metadata": _metadata(),
        }


_OUTBOX_CHECKS = text(
    """
    SELECT stream_id, max(stream_version) AS version, max(transaction_id) AS last_xid
      FROM event_log
     WHERE stream_id = ANY(:stream_ids)
     GROUP BY stream_id
    """
)


def stream_lock_key(stream_id: str) -> int:
    digest = hashlib.sha256(f"agora.stream:{stream_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _metadata() -> dict[str, str]:
    context = current_call.get()
    if context is None:
        return {}
    fields = {
        "correlation_id": context.correlation_id,
        "causation_id": context.causation_id,
        "actor_id": context.actor_id,
        "traceparent": context.traceparent,
    }
    return {k: v for k, v in fields.items() if v is not None}
