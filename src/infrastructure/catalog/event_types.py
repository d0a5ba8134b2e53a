"""Catalog's events in the event log."""

from domain.catalog import events
from infrastructure.eventlog.registry import EventRegistry

CONTEXT = "catalog"
PRODUCT_STREAM = "product"
CATEGORY_STREAM = "category"


def register_catalog_events(registry: EventRegistry) -> None:
    for cls in (
        events.ProductCreated,
        events.ProductDetailsChanged,
        events.ProductPriceChanged,
        events.ProductPublished,
        events.ProductArchived,
        events.ProductImageAdded,
        events.CategoryCreated,
        events.CategoryMoved,
    ):
        registry.register(cls, context=CONTEXT)
