"""Ordering's message contracts as JSON Schema, kept in `docs/contracts/`: published events,
generated from their classes, and the warehouse's shipment reports, by hand (its promise)."""

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from domain.ordering.events import ORDER_EVENTS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
CONTRACTS = Path(__file__).resolve().parents[3] / "docs" / "contracts"

WAREHOUSE_SHIPMENTS: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": "urn:agora:contract:warehouse.shipments",
    "title": "A shipment report from the warehouse (topic warehouse.shipments)",
    "description": "Key: the order id. One message per shipment; a message with delivered_at "
    "also reports delivery. Duplicates are harmless; anything that does not match this schema, "
    "names an unknown order, or an order that cannot ship, goes to warehouse.shipments.dlq "
    "with the reason in the dlq_reason and dlq_error headers.",
    "type": "object",
    "required": ["order_id", "tracking_number", "shipped_at"],
    "properties": {
        "message_id": {
            "type": "string",
            "description": "Unique per message; used to drop redeliveries (else the offset).",
        },
        "order_id": {"type": "string", "format": "uuid"},
        "tracking_number": {"type": "string", "minLength": 1, "maxLength": 64},
        "carrier": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
        "shipped_at": {"type": "string", "format": "date-time"},
        "delivered_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "Not before shipped_at.",
        },
    },
    "additionalProperties": True,
}


def ordering_events() -> dict[str, Any]:
    """The envelope of every message on agora.ordering.events, and each event's payload."""
    definitions: dict[str, Any] = {}
    for cls in ORDER_EVENTS:
        schema = TypeAdapter(cls).json_schema(mode="serialization")
        definitions.update(schema.pop("$defs", {}))
        definitions[cls.__name__] = schema
    payload_by_type = [
        {
            "if": {"properties": {"event_type": {"const": cls.__name__}}},
            "then": {"properties": {"payload": {"$ref": f"#/$defs/{cls.__name__}"}}},
        }
        for cls in ORDER_EVENTS
    ]
    envelope: dict[str, Any] = {
        "event_id": {"type": "string", "format": "uuid"},
        "event_type": {"enum": [cls.__name__ for cls in ORDER_EVENTS]},
        "schema_version": {"type": "integer", "minimum": 1},
        "stream_type": {"const": "order"},
        "stream_id": {"type": "string", "pattern": "^order-"},
        "stream_version": {"type": "integer", "minimum": 1},
        "position": {"type": "integer"},
        "recorded_at": {"type": "string", "format": "date-time"},
        "payload": {"type": "object"},
        "metadata": {
            "type": "object",
            "properties": {
                "correlation_id": {"type": "string"},
                "causation_id": {"type": "string"},
                "actor_id": {"type": "string"},
                "traceparent": {"type": "string"},
            },
        },
    }
    return {
        "$schema": DRAFT,
        "$id": "urn:agora:contract:agora.ordering.events",
        "title": "An order event (topic agora.ordering.events)",
        "description": "Key: the stream id (order-<order id>), so one order's events keep their "
        "order. Headers repeat event_id, event_type, schema_version, correlation_id and "
        "traceparent. Consumers should drop event ids they have seen: delivery is at least once.",
        "type": "object",
        "required": list(envelope),  # every field of the envelope
        "properties": envelope,
        "allOf": payload_by_type,
        "$defs": definitions,
    }


def rendered(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write() -> None:
    (CONTRACTS / "agora.ordering.events.schema.json").write_text(rendered(ordering_events()))
    (CONTRACTS / "warehouse.shipments.schema.json").write_text(rendered(WAREHOUSE_SHIPMENTS))


if __name__ == "__main__":
    write()
    sys.stdout.write(f"written to {CONTRACTS}\n")
