"""What catalog queries and commands return, and the product CSV format that import and export
share (so an export can be imported again)."""

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from application.shared import bounded_json
from application.shared.views import view_of
from domain.catalog.category import Category
from domain.catalog.errors import InvalidProduct
from domain.catalog.product import Product
from domain.catalog.values import Attributes, ProductOption, check_attributes
from domain.catalog.variant import Variant
from domain.shared.money import Money
from domain.shared.sku import Sku
from domain.shared.text import text_fault


@dataclass(frozen=True, kw_only=True)
class ProductSummary:
    """A product as a line of a list."""

    id: UUID
    sku: str
    name: str
    amount: Decimal
    currency: str
    category_id: UUID | None
    status: str
    created_at: datetime

    @property
    def price(self) -> Money:
        return Money(self.amount, self.currency)


@dataclass(frozen=True, kw_only=True)
class OptionView:
    """A product option and its values, in order."""

    name: str
    values: tuple[str, ...]

    @classmethod
    def of(cls, option: ProductOption) -> "OptionView":
        return view_of(cls, option)


@dataclass(frozen=True, kw_only=True)
class VariantView:
    """A variant: options as (name, value) pairs in the product's order, one price per currency."""

    id: UUID
    sku: str
    options: tuple[tuple[str, str], ...]
    prices: tuple[Money, ...]
    weight_grams: int
    image_ids: tuple[UUID, ...]
    position: int
    active: bool

    @classmethod
    def of(cls, variant: Variant) -> "VariantView":
        return view_of(cls, variant, sku=variant.sku.value)


@dataclass(frozen=True, kw_only=True)
class ProductDetails(ProductSummary):
    """One product in full; `version` is its ETag. The public see its active variants only."""

    description: str
    attributes: Attributes
    image_ids: tuple[UUID, ...]
    updated_at: datetime
    version: int
    options: tuple[OptionView, ...] = ()
    variants: tuple[VariantView, ...] = ()
    tax_category: str = "standard"

    @classmethod
    def of(cls, product: Product) -> "ProductDetails":
        """Answer from the write side: the caller reads its own write."""
        return view_of(
            cls,
            product,
            sku=product.sku.value,
            amount=product.price.amount,
            currency=product.price.currency,
            status=product.status.value,
            attributes=dict(product.attributes),
            options=tuple(OptionView.of(o) for o in product.options),
            variants=tuple(VariantView.of(v) for v in product.variants),
        )


@dataclass(frozen=True, kw_only=True)
class VariantForSale:
    """A variant with what other contexts need of its product, read by SKU: whether it can be
    sold (product active, variant active), its prices, and the categories it belongs to (its
    product's category first, then each one above it)."""

    product_id: UUID
    variant_id: UUID
    sku: str
    product_name: str
    options: tuple[tuple[str, str], ...]
    prices: tuple[Money, ...]
    weight_grams: int
    product_status: str
    active: bool
    category_ids: tuple[UUID, ...]
    tax_category: str

    @property
    def for_sale(self) -> bool:
        return self.active and self.product_status == "active"

    @property
    def name(self) -> str:
        """The product's name, with the variant's option values: "T-shirt (M, red)"."""
        if not self.options:
            return self.product_name
        return f"{self.product_name} ({', '.join(value for _, value in self.options)})"


@dataclass(frozen=True, kw_only=True)
class CategoryView:
    """A category; the tree is read by `parent_id`."""

    id: UUID
    name: str
    slug: str
    parent_id: UUID | None

    @classmethod
    def of(cls, category: Category) -> "CategoryView":
        return view_of(cls, category)


T = TypeVar("T")
Render = Callable[[T], bytes]
"""How the caller turns a view into the bytes it answers with (the api's JSON). Public reads are
cached as those bytes, so a hit is answered without building or checking a view again."""


@dataclass(frozen=True, kw_only=True)
class RenderedProduct:
    """A product as its caller renders it, and its version (the ETag), kept side by side."""

    body: bytes
    version: int


SORTS = ("relevance", "price", "name", "newest")


@dataclass(frozen=True, kw_only=True)
class ProductSearch:
    """Full-text query, filters and a sort; only active products unless `include_all`."""

    text: str | None = None
    category_id: UUID | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    attributes: Attributes = field(default_factory=dict)
    sort: str = "newest"
    limit: int = 20
    cursor: str | None = None
    include_all: bool = False


@dataclass(frozen=True, order=True)
class RejectedRow:
    """A line of an imported file that was not imported, and why."""

    line: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class ImportReport:
    """What a bulk import did, row by row where it refused something."""

    created: int
    updated: int
    rejected: list[RejectedRow]


@dataclass(frozen=True, kw_only=True)
class ImageFile:
    """A product image's bytes, and whether its product is public (so shared caches may keep it)."""

    data: bytes
    content_type: str
    public: bool


# -- the product CSV file: one row per product, these columns -------------------------------

COLUMNS = ("sku", "name", "description", "price", "currency", "category_id", "attributes")
REQUIRED = ("sku", "name", "price", "currency")


@dataclass(frozen=True)
class ProductRow:
    """One valid row of a product CSV file."""

    sku: Sku
    name: str
    description: str
    price: Money
    category_id: UUID | None
    attributes: Attributes


def parse_row(row: Mapping[str, str | None]) -> ProductRow:
    """Validate one row; raise a DomainError saying what is wrong with it."""
    for column, cell in row.items():
        # csv.DictReader puts a row's surplus cells in a list under the key None.
        for text in cell if isinstance(cell, list) else [cell or ""]:
            if fault := text_fault(text):
                raise InvalidProduct(f"{column or 'a surplus cell'} {fault}")
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
        attributes = bounded_json.loads(raw_attributes) if raw_attributes else {}
    except ValueError:
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
    """A product as a row of the CSV file."""
    return {
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "price": str(product.amount),
        "currency": product.currency,
        "category_id": "" if product.category_id is None else str(product.category_id),
        "attributes": json.dumps(product.attributes, sort_keys=True) if product.attributes else "",
    }
