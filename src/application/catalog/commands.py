"""Catalog commands."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from uuid import UUID

from application.catalog.views import CategoryView, ImportReport, ProductDetails
from application.shared.bus import Command


@dataclass(frozen=True, kw_only=True)
class CreateProduct(Command[ProductDetails]):
    sku: str
    name: str
    description: str
    amount: str
    currency: str
    category_id: UUID | None = None
    attributes: Mapping[str, object] = field(default_factory=dict)
    options: Sequence[tuple[str, Sequence[str]]] = ()
    tax_category: str = "standard"


@dataclass(frozen=True, kw_only=True)
class ChangeProductDetails(Command[ProductDetails]):
    """A partial update: fields left None keep their value. `expected_version` is required."""

    product_id: UUID
    expected_version: int | None
    name: str | None = None
    description: str | None = None
    category_id: UUID | None = None
    clear_category: bool = False
    attributes: Mapping[str, object] | None = None
    tax_category: str | None = None


@dataclass(frozen=True, kw_only=True)
class ChangePrice(Command[ProductDetails]):
    product_id: UUID
    amount: str
    currency: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class PublishProduct(Command[ProductDetails]):
    product_id: UUID


@dataclass(frozen=True, kw_only=True)
class ArchiveProduct(Command[ProductDetails]):
    product_id: UUID


@dataclass(frozen=True, kw_only=True)
class AddProductImage(Command[UUID]):
    product_id: UUID
    data: bytes
    content_type: str


@dataclass(frozen=True, kw_only=True)
class CreateCategory(Command[CategoryView]):
    name: str
    parent_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class MoveCategory(Command[CategoryView]):
    category_id: UUID
    parent_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class ImportProducts(Command[ImportReport]):
    """Rows as (line number, fields) from a CSV; upsert by SKU, all valid rows or none."""

    rows: Sequence[tuple[int, Mapping[str, str | None]]]


Prices = Sequence[tuple[str, str]]
"""(amount, currency) pairs, the first being the primary price."""


@dataclass(frozen=True, kw_only=True)
class SetProductOptions(Command[ProductDetails]):
    product_id: UUID
    options: Sequence[tuple[str, Sequence[str]]]
    expected_version: int | None


@dataclass(frozen=True, kw_only=True)
class AddVariant(Command[ProductDetails]):
    """A new variant; after the product's others unless `position` says where."""

    product_id: UUID
    expected_version: int | None
    sku: str
    options: Mapping[str, str]
    prices: Prices
    weight_grams: int = 0
    image_ids: tuple[UUID, ...] = ()
    position: int | None = None
    active: bool = True


@dataclass(frozen=True, kw_only=True)
class ChangeVariant(Command[ProductDetails]):
    """A partial update of a variant (not its prices): fields left None keep their value."""

    product_id: UUID
    variant_id: UUID
    expected_version: int | None
    sku: str | None = None
    options: Mapping[str, str] | None = None
    weight_grams: int | None = None
    image_ids: tuple[UUID, ...] | None = None
    position: int | None = None
    active: bool | None = None


@dataclass(frozen=True, kw_only=True)
class SetVariantPrices(Command[ProductDetails]):
    product_id: UUID
    variant_id: UUID
    prices: Prices
    expected_version: int | None


@dataclass(frozen=True, kw_only=True)
class RemoveVariant(Command[ProductDetails]):
    product_id: UUID
    variant_id: UUID
    expected_version: int | None
