"""What happens to products, categories and product types."""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from domain.shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ProductCreated(DomainEvent):
    product_id: UUID
    sku: str
    name: str
    amount: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True)
class ProductDetailsChanged(DomainEvent):
    product_id: UUID
    name: str
    category_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class ProductPriceChanged(DomainEvent):
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
class CategoryCreated(DomainEvent):
    category_id: UUID
    name: str
    parent_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class CategoryMoved(DomainEvent):
    category_id: UUID
    parent_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class ProductTypeAssigned(DomainEvent):
    """A product was given a type (or, with None, left without one)."""

    product_id: UUID
    product_type_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class ProductTypeCreated(DomainEvent):
    product_type_id: UUID
    name: str
    attribute_codes: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ProductTypeChanged(DomainEvent):
    product_type_id: UUID
    name: str
    attribute_codes: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ProductTypeDeleted(DomainEvent):
    product_type_id: UUID


EVENTS: tuple[type[DomainEvent], ...] = (
    ProductCreated,
    ProductDetailsChanged,
    ProductPriceChanged,
    ProductPublished,
    ProductArchived,
    ProductImageAdded,
    CategoryCreated,
    CategoryMoved,
    ProductTypeAssigned,
    ProductTypeCreated,
    ProductTypeChanged,
    ProductTypeDeleted,
)
