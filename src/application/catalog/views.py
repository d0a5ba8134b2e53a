"""What catalog queries return."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.catalog.product import Attributes


@dataclass(frozen=True, kw_only=True)
class ProductSummary:
    id: UUID
    sku: str
    name: str
    amount: Decimal
    currency: str
    category_id: UUID | None
    status: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class ProductDetails(ProductSummary):
    description: str
    attributes: Attributes
    image_ids: tuple[UUID, ...]
    updated_at: datetime
    version: int


@dataclass(frozen=True, kw_only=True)
class CategoryView:
    id: UUID
    name: str
    slug: str
    parent_id: UUID | None


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


@dataclass(frozen=True, kw_only=True)
class ImportReport:
    """What a bulk import did, row by row where it refused something."""

    created: int
    updated: int
    rejected: list[tuple[int, str]]
