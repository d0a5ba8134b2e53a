"""What happens to products and categories."""

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from domain.shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PriceData:
    """A price as events carry it."""

    amount: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True)
class OptionData:
    """A product option as events carry it."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class VariantData:
    """A variant as events carry it: options as (name, value) pairs in the product's order."""

    variant_id: UUID
    sku: str
    options: tuple[tuple[str, str], ...]
    prices: tuple[PriceData, ...]
    weight_grams: int
    image_ids: tuple[UUID, ...]
    position: int
    active: bool


@dataclass(frozen=True, kw_only=True)
class ProductCreated(DomainEvent):
    """v2: with its options, variants and tax category. `sku`, `amount` and `currency` stay
    those of the default variant (v1's meaning); v1 payloads are upcast (ADR 0030)."""

    SCHEMA_VERSION: ClassVar[int] = 2

    product_id: UUID
    sku: str
    name: str
    amount: Decimal
    currency: str
    options: tuple[OptionData, ...] = ()
    variants: tuple[VariantData, ...] = ()
    tax_category: str = "standard"


@dataclass(frozen=True, kw_only=True)
class ProductDetailsChanged(DomainEvent):
    product_id: UUID
    name: str
    category_id: UUID | None
    tax_category: str = "standard"


@dataclass(frozen=True, kw_only=True)
class ProductPriceChanged(DomainEvent):
    """The default variant's primary price (the product's price, as before variants)."""

    product_id: UUID
    old_amount: Decimal
    amount: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True)
class ProductPublished(DomainEvent):
    product_id: UUID


@dataclass(frozen=True, kw_only=True)
class ProductArchived(DomainEvent):
    product_id: UUID


@dataclass(frozen=True, kw_only=True)
class ProductImageAdded(DomainEvent):
    product_id: UUID
    image_id: UUID
    content_type: str


@dataclass(frozen=True, kw_only=True)
class ProductOptionsChanged(DomainEvent):
    """The product's options; `variants` are every variant after the change (a new option gives
    them its first value)."""

    product_id: UUID
    options: tuple[OptionData, ...]
    variants: tuple[VariantData, ...]


@dataclass(frozen=True, kw_only=True)
class VariantAdded(DomainEvent):
    product_id: UUID
    variant: VariantData


@dataclass(frozen=True, kw_only=True)
class VariantChanged(DomainEvent):
    """Anything but its prices changed: the variant as it is now."""

    product_id: UUID
    variant: VariantData


@dataclass(frozen=True, kw_only=True)
class VariantPriceChanged(DomainEvent):
    product_id: UUID
    variant_id: UUID
    sku: str
    prices: tuple[PriceData, ...]


@dataclass(frozen=True, kw_only=True)
class VariantRemoved(DomainEvent):
    product_id: UUID
    variant_id: UUID
    sku: str


@dataclass(frozen=True, kw_only=True)
class CategoryCreated(DomainEvent):
    category_id: UUID
    name: str
    parent_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class CategoryMoved(DomainEvent):
    category_id: UUID
    parent_id: UUID | None


EVENTS: tuple[type[DomainEvent], ...] = (
    ProductCreated,
    ProductDetailsChanged,
    ProductPriceChanged,
    ProductPublished,
    ProductArchived,
    ProductImageAdded,
    ProductOptionsChanged,
    VariantAdded,
    VariantChanged,
    VariantPriceChanged,
    VariantRemoved,
    CategoryCreated,
    CategoryMoved,
)
