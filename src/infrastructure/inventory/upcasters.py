"""Old stock events read as the current schema: a v1 movement (from before stock locations)
happened at `main`, where every unit then was (ADR 0040)."""

from domain.inventory.values import DEFAULT_LOCATION
from infrastructure.eventlog.registry import EventRegistry, Payload

LOCATED = ("StockReceived", "StockAdjusted", "StockReserved", "StockReleased", "StockCommitted")


def register_upcasters(registry: EventRegistry) -> None:
    for name in LOCATED:
        registry.upcaster(name, from_version=1)(movement_v1_to_v2)


def movement_v1_to_v2(payload: Payload) -> Payload:
    return {"location": DEFAULT_LOCATION} | payload
