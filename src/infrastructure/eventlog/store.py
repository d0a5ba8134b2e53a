"""Appending to and reading from the event log, on the caller's connection and transaction.

Append rules: the batch is all-or-nothing; `expected_version` guards against concurrent
writers; appending event ids that are already stored is a duplicate, not a conflict."""

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.context import current_call
from application.shared.errors import ConcurrencyConflict
from application.shared.views import view_of
from domain.shared.events import DomainEvent
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.tables import event_log

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
        """Append every stream's events, all or none: one check query and one INSERT."""
        streams = [s for s in streams if s.events]
        if not streams:
            return []
        ids = [p.event_id for s in streams for p in s.events]
        rows = await self._conn.execute(
            _CHECKS, {"stream_ids": [s.stream_id for s in streams], "ids": ids}
        )
        found = {r.stream_id: r for r in rows}
        versions = {stream_id: check.version for stream_id, check in found.items()}
        values: list[dict[str, Any]] = []
        results = []
        for stream in streams:
            version = versions[stream.stream_id]
            result = self._check(stream, found[stream.stream_id], version)
            results.append(result)
            if not result.duplicate:
                values += [
                    self._row(stream, pending, version + n)
                    for n, pending in enumerate(stream.events, start=1)
                ]
                versions[stream.stream_id] = result.version  # the same stream again
        if values:
            try:
                # A unique violation aborts the whole transaction; the caller's unit of work
                # rolls back. A statement trigger NOTIFYs subscribers on commit.
                await self._conn.execute(insert(event_log), values)
            except IntegrityError as exc:
                raise ConcurrencyConflict("a stream was appended to concurrently") from exc
        return results

    @staticmethod
    def _check(stream: NewEvents, check: Any, version: int) -> AppendResult:
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
        for key in sorted({stream_lock_key(s) for s in stream_ids}):
            await self._conn.execute(select(func.pg_advisory_xact_lock(key)))

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        rows = await self._conn.execute(
            select(event_log)
            .where(event_log.c.stream_id == stream_id)
            .order_by(event_log.c.stream_version)
        )
        return [StoredEvent.from_row(r._mapping) for r in rows]

    def _row(self, stream: NewEvents, pending: PendingEvent, version: int) -> dict[str, Any]:
        entry, payload = self._registry.serialize(pending.event)
        return {
            "stream_type": stream.stream_type,
            "stream_id": stream.stream_id,
            "stream_version": version,
            "event_id": pending.event_id,
            "event_type": entry.name,
            "schema_version": entry.version,
            "payload": payload,
            "metadata": _metadata(),
        }


# Per stream: its last version and writer (the newest row, through the unique index), how many of
# the batch's event ids it holds already, and our own transaction id.
_CHECKS = text(
    """
    SELECT w.stream_id,
           coalesce(last.stream_version, 0) AS version,
           last.transaction_id AS last_xid,
           (SELECT count(*) FROM event_log e
             WHERE e.event_id = ANY(:ids) AND e.stream_id = w.stream_id) AS stored,
           pg_current_xact_id()::text::bigint AS my_xid
      FROM unnest(CAST(:stream_ids AS text[])) AS w(stream_id)
      LEFT JOIN LATERAL (
            SELECT stream_version, transaction_id FROM event_log
             WHERE stream_id = w.stream_id
             ORDER BY stream_version DESC LIMIT 1
      ) AS last ON true
    """
)


def stream_lock_key(stream_id: str) -> int:
    digest = hashlib.sha256(f"agora.stream:{stream_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _metadata() -> dict[str, str]:
    """What is known of the current call: request (correlation) id, cause, actor and trace."""
    context = current_call.get()
    if context is None:
        return {}
    return {k: v for k, v in asdict(context).items() if v is not None}
