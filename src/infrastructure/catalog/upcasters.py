"""Catalog payloads stored under an older schema version, read as the current one. The log is
never rewritten: a v1 `ProductCreated` (a product with one SKU and price) is read as the v2 it
means, a product with that SKU and price as its one default variant (ADR 0030)."""

from infrastructure.eventlog.registry import EventRegistry, Payload


def register_upcasters(registry: EventRegistry) -> None:
    registry.upcaster("ProductCreated", from_version=1)(product_created_v1_to_v2)


def product_created_v1_to_v2(payload: Payload) -> Payload:
    """The default variant has the product's id, as products migrated to variants have."""
    default = {
        "variant_id": payload["product_id"],
        "sku": payload["sku"],
        "options": [],
        "prices": [{"amount": payload["amount"], "currency": payload["currency"]}],
        "weight_grams": 0,
        "image_ids": [],
        "position": 0,
        "active": True,
    }
    return payload | {"options": [], "variants": [default], "tax_category": "standard"}
