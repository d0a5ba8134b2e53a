"""The JSON envelope and headers every event carries on Kafka."""

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from infrastructure.eventlog.store import StoredEvent

Headers = list[tuple[str, bytes]]


def topic_for(context: str, *, prefix: str = "agora") -> str:
    return f"{prefix}.{context}.events"


def envelope(event: StoredEvent) -> bytes:
    body: dict[str, Any] = {
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "schema_version": event.schema_version,
        "stream_type": event.stream_type,
        "stream_id": event.stream_id,
        "stream_version": event.stream_version,
        "position": event.position,
        "recorded_at": event.recorded_at.isoformat(),
        "payload": event.payload,
        "metadata": event.metadata,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def stored_event(body: Mapping[str, Any]) -> StoredEvent:
    """The log's row an envelope carries, as the log's own subscribers see it: its reactions
    decode it with the registry (upcasters included). The transaction id stays in the log: 0.
    Raises KeyError, TypeError or ValueError for a body that is not an envelope."""
    payload, metadata = body["payload"], body["metadata"]
    if not (isinstance(payload, Mapping) and isinstance(metadata, Mapping)):
        raise TypeError("payload and metadata must be objects")
    return StoredEvent(
        position=int(body["position"]),
        transaction_id=0,
        stream_type=str(body["stream_type"]),
        stream_id=str(body["stream_id"]),
        stream_version=int(body["stream_version"]),
        event_id=UUID(str(body["event_id"])),
        event_type=str(body["event_type"]),
        schema_version=int(body["schema_version"]),
        payload=dict(payload),
        metadata=dict(metadata),
        recorded_at=datetime.fromisoformat(str(body["recorded_at"])),
    )


def headers(event: StoredEvent, *, traceparent: bool = True) -> Headers:
    """`traceparent=False` leaves it to a traced producer, which writes its send span's."""
    pairs = {
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "schema_version": str(event.schema_version),
        "correlation_id": event.metadata.get("correlation_id"),
        "traceparent": event.metadata.get("traceparent") if traceparent else None,
    }
    return [(k, str(v).encode()) for k, v in pairs.items() if v is not None]
