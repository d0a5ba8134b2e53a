"""The message contracts as JSON Schema, kept in `docs/contracts/`: each context's published
events (one topic per context), generated from their classes, and the warehouse's shipment
reports, by hand (its promise)."""

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from domain.catalog import events as catalog
from domain.catalog.category import Category
from domain.catalog.product import Product
from domain.gift_cards import events as gift_cards
from domain.gift_cards.gift_card import GiftCard
from domain.identity import events as identity
from domain.identity.api_key import ApiKey
from domain.identity.user import User
from domain.inventory import events as inventory
from domain.inventory.stock import StockItem
from domain.notifications import events as notifications
from domain.notifications.webhook import WebhookSubscription
from domain.ordering import events as ordering
from domain.ordering.order import Order
from domain.ordering.returns import Return
from domain.promotions import events as promotions
from domain.promotions.coupon import Coupon
from domain.promotions.promotion import Promotion
from domain.shared.events import DomainEvent
from domain.shipping import events as shipping
from domain.shipping.shipping_method import ShippingMethod
from domain.taxes import events as taxes
from domain.taxes.currency_mode import CurrencyTaxMode
from domain.taxes.tax_category import TaxCategory
from domain.taxes.tax_rate import TaxRate
from infrastructure.kafka.envelope import topic_for

DRAFT = "https://json-schema.org/draft/2020-12/schema"
CONTRACTS = Path(__file__).resolve().parents[3] / "docs" / "contracts"

_TEXT = {"type": "string", "minLength": 1, "maxLength": 64}
_NOT_V2 = {
    "not": {"anyOf": [{"required": [name]} for name in ("shipment_id", "lines", "location")]}
}

WAREHOUSE_SHIPMENTS: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": "urn:agora:contract:warehouse.shipments",
    "title": "A shipment report from the warehouse (topic warehouse.shipments)",
    "description": "Key: the order id. One message per shipment; a message with delivered_at "
    "also reports delivery. Version 1 (no schema_version) ships every unit of the order. "
    "Version 2 may name the shipment (shipment_id), its lines and the stock location it left "
    "from, so an order ships in several parcels; a version 2 message with only shipment_id and "
    "delivered_at reports that parcel delivered (ADR 0038). Duplicates are harmless; anything "
    "that does not match this schema, names an unknown order, or an order that cannot ship, "
    "goes to warehouse.shipments.dlq with the reason in the dlq_reason and dlq_error headers.",
    "type": "object",
    "required": ["order_id"],
    "properties": {
        "schema_version": {"enum": [1, 2], "description": "1 when left out."},
        "message_id": {
            "type": "string",
            "description": "Unique per message; used to drop redeliveries (else the offset).",
        },
        "order_id": {"type": "string", "format": "uuid"},
        "shipment_id": {
            "type": ["string", "null"],
            "format": "uuid",
            "description": "Version 2. Left out: derived from the tracking number.",
        },
        "tracking_number": _TEXT,
        "carrier": _TEXT | {"type": ["string", "null"]},
        "location": _TEXT
        | {
            "type": ["string", "null"],
            "description": "Version 2: the stock location's code; left out, where the units "
            "were allocated.",
        },
        "lines": {
            "type": ["array", "null"],
            "minItems": 1,
            "maxItems": 100,
            "description": "Version 2: the units this parcel carries; left out, every unit "
            "not shipped yet.",
            "items": {
                "type": "object",
                "required": ["sku", "quantity"],
                "properties": {
                    "sku": _TEXT,
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 999},
                },
            },
        },
        "shipped_at": {"type": "string", "format": "date-time"},
        "delivered_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "Not before shipped_at.",
        },
    },
    "if": {"required": ["schema_version"], "properties": {"schema_version": {"const": 2}}},
    "then": {
        "anyOf": [
            {"required": ["tracking_number", "shipped_at"]},
            {
                "required": ["shipment_id", "delivered_at"],
                "not": {"anyOf": [{"required": ["tracking_number"]}, {"required": ["shipped_at"]}]},
                "properties": {
                    "shipment_id": {"type": "string"},
                    "delivered_at": {"type": "string"},
                },
            },
        ]
    },
    "else": {"required": ["tracking_number", "shipped_at"]} | _NOT_V2,
    "additionalProperties": True,
}


# context -> (its published events, the stream types they are recorded on)
PUBLISHED: dict[str, tuple[tuple[type[DomainEvent], ...], tuple[str, ...]]] = {
    "catalog": (catalog.EVENTS, (Product.stream_type, Category.stream_type)),
    "identity": (identity.EVENTS, (User.stream_type, ApiKey.stream_type)),
    "inventory": (inventory.EVENTS, (StockItem.stream_type,)),
    "notifications": (notifications.EVENTS, (WebhookSubscription.stream_type,)),
    "ordering": (ordering.EVENTS, (Order.stream_type, Return.stream_type)),
    "taxes": (
        taxes.EVENTS,
        (TaxCategory.stream_type, TaxRate.stream_type, CurrencyTaxMode.stream_type),
    ),
    "shipping": (shipping.EVENTS, (ShippingMethod.stream_type,)),
    "promotions": (promotions.EVENTS, (Promotion.stream_type, Coupon.stream_type)),
    "gift_cards": (gift_cards.EVENTS, (GiftCard.stream_type,)),
}


def published_events(context: str) -> dict[str, Any]:
    """The envelope of every message on the context's topic, and each event's payload."""
    events, stream_types = PUBLISHED[context]
    topic = topic_for(context)
    definitions: dict[str, Any] = {}
    for cls in events:
        schema = TypeAdapter(cls).json_schema(mode="serialization")
        definitions.update(schema.pop("$defs", {}))
        definitions[cls.__name__] = schema
    payload_by_type = [
        {
            "if": {"properties": {"event_type": {"const": cls.__name__}}},
            "then": {"properties": {"payload": {"$ref": f"#/$defs/{cls.__name__}"}}},
        }
        for cls in events
    ]
    envelope: dict[str, Any] = {
        "event_id": {"type": "string", "format": "uuid"},
        "event_type": {"enum": [cls.__name__ for cls in events]},
        "schema_version": {"type": "integer", "minimum": 1},
        "stream_type": {"enum": list(stream_types)},
        "stream_id": {"type": "string", "pattern": f"^({'|'.join(stream_types)})-"},
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
        "$id": f"urn:agora:contract:{topic}",
        "title": f"A {context} event (topic {topic})",
        "description": "Key: the stream id (<stream type>-<id>), so one stream's events keep "
        "their order. Headers repeat event_id, event_type, schema_version, correlation_id and "
        "traceparent. Consumers should drop event ids they have seen: delivery is at least once.",
        "type": "object",
        "required": list(envelope),  # every field of the envelope
        "properties": envelope,
        "allOf": payload_by_type,
        "$defs": definitions,
    }


def rendered(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def contracts() -> dict[str, dict[str, Any]]:
    """Each contract by its file name in `docs/contracts/`."""
    published = {f"{topic_for(c)}.schema.json": published_events(c) for c in PUBLISHED}
    return published | {"warehouse.shipments.schema.json": WAREHOUSE_SHIPMENTS}


def write() -> None:
    for name, schema in contracts().items():
        (CONTRACTS / name).write_text(rendered(schema))


if __name__ == "__main__":
    write()
    sys.stdout.write(f"written to {CONTRACTS}\n")
