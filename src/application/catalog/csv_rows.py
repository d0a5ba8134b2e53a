"""The product CSV format, shared by import and export so an export can be imported again."""

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from application.catalog.views import ProductDetails
from domain.catalog.errors import InvalidProduct
from domain.catalog.product import Attributes, check_attributes
from domain.shared.money import Money
from domain.shared.sku import Sku

COLUMNS = ("sku", "name", "description", "price", "currency", "category_id", "attributes")
REQUIRED = ("sku", "name", "price", "currency")


@dataclass(frozen=True)
class ProductRow:
    sku: Sku
    name: str
    description: str
    price: Money
    category_id: UUID | None
    attributes: Attributes


def parse_row(row: Mapping[str, str | None]) -> ProductRow:
    """Validate one row; raise a DomainError saying what is wrong with it."""
    missing = [c for c in REQUIRED if not (row.get(c) or "").strip()]
    if missing:
        raise InvalidProduct(f"missing {', '.join(missing)}")
    category = (row.get("category_id") or "").strip()
    try:
        category_id = uuid.UUID(category) if category else None
    except ValueError:
        raise InvalidProduct(f"category_id {category!r} is not a UUID") from None
    raw_attributes = (row.get("attributes") or "").strip()
    try:
        attributes = json.loads(raw_attributes) if raw_attributes else {}
    except json.JSONDecodeError:
        raise InvalidProduct("attributes must be a JSON object") from None
    if not isinstance(attributes, dict):
        raise InvalidProduct("attributes must be a JSON object")
    return ProductRow(
        sku=Sku.parse(row.get("sku") or ""),
        name=row.get("name") or "",
        description=row.get("description") or "",
        price=Money.of((row.get("price") or "").strip(), row.get("currency") or ""),
        category_id=category_id,
        attributes=check_attributes(attributes),
    )


def to_row(product: ProductDetails) -> dict[str, str]:
    return {
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "price": str(product.amount),
        "currency": product.currency,
        "category_id": "" if product.category_id is None else str(product.category_id),
        "attributes": json.dumps(product.attributes, sort_keys=True) if product.attributes else "",
    }
