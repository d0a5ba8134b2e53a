"""Inventory's events in the event log."""

from domain.inventory import events
from infrastructure.eventlog.registry import EventRegistry

CONTEXT = "inventory"
STOCK_STREAM = "stock"


def stock_stream(sku: str) -> str:
    """The event-log stream of one SKU's movements."""
    return f"stock-{sku}"


def register_inventory_events(registry: EventRegistry) -> None:
    for cls in (
        events.StockReceived,
        events.StockAdjusted,
        events.StockReserved,
        events.StockReleased,
        events.StockCommitted,
    ):
        registry.register(cls, context=CONTEXT)
