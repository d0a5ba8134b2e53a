"""The JSON envelope and headers every event carries on Kafka."""

import json
from typing import Any

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
