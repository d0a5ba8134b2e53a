"""Appending to and reading from the event log, on the caller's connection and transaction.

Append rules: the batch is all-or-nothing; `expected_version` guards against concurrent
writers; appending event ids that are already stored is a duplicate, not a conflict."""

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.context import current_call
from application.shared.errors import ConcurrencyConflict
from application.shared.views import view_of
from domain.shared.events import DomainEvent
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.tables import event_log
from infrastructure.telemetry.tracing import active_traceparent

# Named in the event_log trigger's migrations; the payload is a JSON object of the stream types
# and event types a statement appended ('' names nothing: wake everyone).
NOTIFY_CHANNEL = "agora_event_log"
NO_STREAM = 0


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
        return view_of(cls, row)


@dataclass(frozen=True)
class NewEvents:
    """Events for one stream. `expected_version` is the version the writer last saw (NO_STREAM
    for a new stream); None appends after whatever the stream holds, for state-stored
    aggregates whose row's version check already serialised the writers."""

    stream_type: str
    stream_id: str
    events: Sequence[PendingEvent]
    expected_version: int | None = None


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

    async def append(self, streams: Sequence[NewEvents]) -> list[AppendResult]:
        """Append every stream's events, all or none, in one statement: the checks (version,
        duplicates, the last writer's transaction id) and the INSERT of every event together.
        On a conflict nothing is inserted; the caller's transaction is then rolled back."""
        streams = [s for s in streams if s.events]
        if not streams:
            return []
        batch = _Batch.of(streams)
        try:
            # A unique violation aborts the whole transaction; the caller's unit of work
            # rolls back. A statement trigger NOTIFYs subscribers on commit.
            rows = await self._conn.execute(_APPEND, batch.parameters(self._row))
        except IntegrityError as exc:
            raise ConcurrencyConflict("a stream was appended to concurrently") from exc
        found = {r.stream_id: r for r in rows}
        results: list[AppendResult] = []
        appended: dict[str, int] = {}  # events of each stream so far, for one named twice
        for stream in streams:
            check = found[stream.stream_id]
            if self._check(batch.merged[stream.stream_id], check).duplicate:
                results.append(AppendResult(version=check.version, duplicate=True))
                continue
            appended[stream.stream_id] = appended.get(stream.stream_id, 0) + len(stream.events)
            results.append(AppendResult(version=check.version + appended[stream.stream_id]))
        return results

    @staticmethod
    def _check(stream: NewEvents, check: Any) -> AppendResult:
        """The statement's verdict in words: the rules `_APPEND` applied in SQL, in its order."""
        version: int = check.version
        if check.stored == len(stream.events):
            return AppendResult(version=version, duplicate=True)
        if check.stored:
            raise ConcurrencyConflict(
                f"stream {stream.stream_id}: some of these events are stored already"
            )
        if stream.expected_version is not None and version != stream.expected_version:
            raise ConcurrencyConflict(
                f"stream {stream.stream_id} is at version {version}, not {stream.expected_version}"
            )
        if check.last_xid is not None and check.last_xid > check.my_xid:
            # Subscribers read in transaction-id order; a stream must never go backwards in it.
            # A transaction that began writing before the stream's last append hits this (a
            # retry gets a newer id); writers of contended streams avoid it with lock_streams().
            raise ConcurrencyConflict(
                f"stream {stream.stream_id} moved on; retry in a new transaction"
            )
        return AppendResult(version=version + len(stream.events))

    async def lock_streams(self, stream_ids: Iterable[str]) -> None:
        """Serialise this transaction with every other writer of these streams until it ends.
        Call it before the first write: a waiter then gets its transaction id only after the
        previous writer committed (ADR 0005). One global lock order rules out deadlocks."""
        keys = sorted({stream_lock_key(s) for s in stream_ids})
        if keys:  # one statement: unnest yields the keys, and so takes the locks, in order
            await self._conn.execute(_LOCKS, {"keys": keys})

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        rows = await self._conn.execute(
            select(event_log)
            .where(event_log.c.stream_id == stream_id)
            .order_by(event_log.c.stream_version)
        )
        return [StoredEvent.from_row(r._mapping) for r in rows]

    def _row(self, pending: PendingEvent) -> tuple[str, int, str, str]:
        """An event's stored name, schema version, payload and metadata (JSON text)."""
        entry, payload = self._registry.serialize(pending.event)
        return entry.name, entry.version, json.dumps(payload), json.dumps(_metadata())


@dataclass(frozen=True)
class _Batch:
    """One append's streams, each stream once (a stream named twice is one run of events)."""

    merged: dict[str, NewEvents]

    @classmethod
    def of(cls, streams: Sequence[NewEvents]) -> "_Batch":
        merged: dict[str, NewEvents] = {}
        for stream in streams:
            first = merged.get(stream.stream_id)
            if first is None:
                merged[stream.stream_id] = stream
                continue
            expected, then = first.expected_version, stream.expected_version
            if expected is not None and then is not None and then != expected + len(first.events):
                raise ConcurrencyConflict(f"stream {stream.stream_id}: two appends disagree")
            if expected is None and then is not None:
                expected = then - len(first.events)
            merged[stream.stream_id] = NewEvents(
                first.stream_type, first.stream_id, [*first.events, *stream.events], expected
            )
        return cls(merged)

    def parameters(
        self, serialize: Callable[[PendingEvent], tuple[str, int, str, str]]
    ) -> dict[str, Any]:
        """The statement's arrays: one element per stream, and one per event."""
        streams = list(self.merged.values())
        events = [(s, n, p) for s in streams for n, p in enumerate(s.events, start=1)]
        rows = [serialize(p) for _, _, p in events]
        return {
            "stream_ids": [s.stream_id for s in streams],
            "expected": [s.expected_version for s in streams],
            "sizes": [len(s.events) for s in streams],
            "event_streams": [s.stream_id for s, _, _ in events],
            "stream_types": [s.stream_type for s, _, _ in events],
            "offsets": [n for _, n, _ in events],
            "event_ids": [p.event_id for _, _, p in events],
            "event_types": [r[0] for r in rows],
            "schema_versions": [r[1] for r in rows],
            "payloads": [r[2] for r in rows],
            "metadata": [r[3] for r in rows],
        }


# Per stream: its last version and writer (the newest row, through the unique index), how many
# of the batch's event ids it holds already, and our own transaction id; then the verdict, and
# the INSERT of every event only if no stream is refused. Duplicates are skipped, not refused.
_APPEND = text(
    """
    WITH checks AS (
        SELECT w.stream_id, w.expected, w.size,
               coalesce(last.stream_version, 0) AS version,
               last.transaction_id AS last_xid,
               (SELECT count(*) FROM event_log e
                 WHERE e.event_id = ANY(CAST(:event_ids AS uuid[]))
                   AND e.stream_id = w.stream_id) AS stored,
               pg_current_xact_id()::text::bigint AS my_xid
          FROM unnest(CAST(:stream_ids AS text[]), CAST(:expected AS int[]),
                      CAST(:sizes AS int[])) AS w(stream_id, expected, size)
          LEFT JOIN LATERAL (
                SELECT stream_version, transaction_id FROM event_log
                 WHERE stream_id = w.stream_id
                 ORDER BY stream_version DESC LIMIT 1
          ) AS last ON true
    ), verdicts AS (
        SELECT *, stored = size AS duplicate,
               stored = 0 AND (expected IS NULL OR expected = version)
                          AND (last_xid IS NULL OR last_xid <= my_xid) AS accepted
          FROM checks
    ), inserted AS (
        INSERT INTO event_log (stream_type, stream_id, stream_version, event_id, event_type,
                               schema_version, payload, metadata)
        SELECT e.stream_type, e.stream_id, v.version + e.n, e.event_id, e.event_type,
               e.schema_version, CAST(e.payload AS jsonb), CAST(e.metadata AS jsonb)
          FROM unnest(CAST(:event_streams AS text[]), CAST(:stream_types AS text[]),
                      CAST(:offsets AS int[]), CAST(:event_ids AS uuid[]),
                      CAST(:event_types AS text[]), CAST(:schema_versions AS int[]),
                      CAST(:payloads AS text[]), CAST(:metadata AS text[]))
               WITH ORDINALITY AS e(stream_id, stream_type, n, event_id, event_type,
                                    schema_version, payload, metadata, ord)
          JOIN verdicts v ON v.stream_id = e.stream_id
         WHERE v.accepted
           AND NOT EXISTS (SELECT 1 FROM verdicts r WHERE NOT r.accepted AND NOT r.duplicate)
         ORDER BY e.ord
        RETURNING 1
    )
    SELECT stream_id, version, last_xid, stored, my_xid,
           (SELECT count(*) FROM inserted) AS inserted
      FROM verdicts
    """
)


_LOCKS = text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k")


def stream_lock_key(stream_id: str) -> int:
    digest = hashlib.sha256(f"agora.stream:{stream_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _metadata() -> dict[str, str]:
    """What is known of the current call: request (correlation) id, cause, actor and trace.
    With tracing on, the trace is the span appending (the command's), so whatever reacts to the
    event continues the same trace; otherwise the caller's `traceparent`, as it came."""
    context = current_call.get()
    if context is None:
        return {}
    metadata = {k: v for k, v in asdict(context).items() if v is not None}
    traceparent = active_traceparent()
    if traceparent is not None:
        metadata["traceparent"] = traceparent
    return metadata
