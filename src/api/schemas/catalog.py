"""Schemas of the catalog endpoints. Money is a decimal string and a currency, never a float."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from application.catalog.views import CategoryView, ImportReport, ProductDetails, ProductSummary

# Serialised as a JSON string so no client parses it into a binary float.
DecimalString = Annotated[Decimal, PlainSerializer(str, return_type=str)]
AmountInput = Annotated[str, Field(pattern=r"^\d{1,8}(\.\d{1,2})?$", examples=["19.90"])]
AttributeValue = str | int | bool


class MoneyModel(BaseModel):
    """An amount of money in responses; immutable, like the domain's Money it mirrors."""

    model_config = ConfigDict(frozen=True)

    amount: DecimalString = Field(examples=["19.90"])
    currency: str = Field(examples=["EUR"])


class ProductSummaryResponse(BaseModel):
    id: UUID
    sku: str = Field(examples=["MUG-BLUE-350"])
    name: str = Field(examples=["Blue mug, 350 ml"])
    price: MoneyModel
    category_id: UUID | None
    status: str = Field(examples=["active"])
    created_at: datetime

    @classmethod
    def of(cls, p: ProductSummary) -> "ProductSummaryResponse":
        return cls(
            id=p.id,
            sku=p.sku,
            name=p.name,
            price=MoneyModel(amount=p.amount, currency=p.currency),
            category_id=p.category_id,
            status=p.status,
            created_at=p.created_at,
        )


class ProductResponse(ProductSummaryResponse):
    description: str
    attributes: dict[str, AttributeValue] = Field(examples=[{"color": "blue", "volume_ml": 350}])
    image_urls: list[str]
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, p: ProductDetails) -> "ProductResponse":  # type: ignore[override]
        return cls(
            **ProductSummaryResponse.of(p).model_dump(),
            description=p.description,
            attributes=p.attributes,
            image_urls=[f"/api/v1/products/{p.id}/images/{i}" for i in p.image_ids],
            updated_at=p.updated_at,
            version=p.version,
        )


class ProductPage(BaseModel):
    items: list[ProductSummaryResponse]
    next_cursor: str | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PriceInput(_Strict):
    amount: AmountInput
    currency: str = Field(pattern=r"^[A-Za-z]{3}$", examples=["EUR"])


class NewProduct(_Strict):
    sku: str = Field(max_length=64, examples=["MUG-BLUE-350"])
    name: str = Field(min_length=1, max_length=200, examples=["Blue mug, 350 ml"])
    description: str = Field("", max_length=5000)
    price: PriceInput
    category_id: UUID | None = None
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)


class ProductPatch(_Strict):
    """Only the fields sent change. Requires If-Match with the product's ETag."""

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    category_id: UUID | None = None
    attributes: dict[str, AttributeValue] | None = None


class CategoryResponse(BaseModel):
    id: UUID
    name: str = Field(examples=["Kitchen"])
    slug: str = Field(examples=["kitchen"])
    parent_id: UUID | None

    @classmethod
    def of(cls, c: CategoryView) -> "CategoryResponse":
        return cls(id=c.id, name=c.name, slug=c.slug, parent_id=c.parent_id)


class NewCategory(_Strict):
    name: str = Field(min_length=1, max_length=100, examples=["Mugs"])
    parent_id: UUID | None = None


class CategoryMove(_Strict):
    parent_id: UUID | None


class RejectedRow(BaseModel):
    line: int
    reason: str


class ImportResponse(BaseModel):
    created: int
    updated: int
    rejected: list[RejectedRow]

    @classmethod
    def of(cls, report: ImportReport) -> "ImportResponse":
        return cls(
            created=report.created,
            updated=report.updated,
            rejected=[RejectedRow(line=line, reason=reason) for line, reason in report.rejected],
        )
