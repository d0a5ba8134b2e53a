"""Schemas of the catalog endpoints. Money is a decimal string and a currency, never a float.
Responses are read from the application's views by attribute."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, ConfigDict, Field, TypeAdapter, computed_field

from api.schemas import MoneyModel, RequestModel, ResponseModel, SafeStr, storable
from application.catalog.views import ProductDetails, ProductSummary
from application.shared.pagination import Page

AmountInput = Annotated[SafeStr, Field(pattern=r"^\d{1,8}(\.\d{1,2})?$", examples=["19.90"])]
AttributeValue = str | int | bool
# One validator over the union, so an error names the attribute, not a member of the union.
AttributeInput = Annotated[str | int | bool, AfterValidator(storable)]
AttributesInput = dict[SafeStr, AttributeInput]


class ProductSummaryResponse(ResponseModel):
    """A product as a line of a list."""

    id: UUID
    sku: str = Field(examples=["MUG-BLUE-350"])
    name: str = Field(examples=["Blue mug, 350 ml"])
    price: MoneyModel
    category_id: UUID | None
    status: str = Field(examples=["active"])
    created_at: datetime


class ProductResponse(ProductSummaryResponse):
    """One product in full; `version` is also sent as the ETag."""

    description: str
    attributes: dict[str, AttributeValue] = Field(examples=[{"color": "blue", "volume_ml": 350}])
    image_ids: list[UUID] = Field(exclude=True)
    updated_at: datetime
    version: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def image_urls(self) -> list[str]:
        return [f"/api/v1/products/{self.id}/images/{i}" for i in self.image_ids]


class ProductPage(ResponseModel):
    """Products in the search's order; send `next_cursor` back as `cursor` for the next page."""

    items: list[ProductSummaryResponse]
    next_cursor: str | None


_PRODUCT = TypeAdapter(ProductResponse)
_PAGE = TypeAdapter(ProductPage)


def product_json(product: ProductDetails) -> bytes:
    """The JSON a product is answered with: what FastAPI's response model would send."""
    return _PRODUCT.dump_json(ProductResponse.model_validate(product))


def page_json(page: Page[ProductSummary]) -> bytes:
    """The JSON a page of products is answered with, likewise."""
    return _PAGE.dump_json(ProductPage.model_validate(page))


class PriceInput(RequestModel):
    amount: AmountInput
    currency: SafeStr = Field(pattern=r"^[A-Za-z]{3}$", examples=["EUR"])


class NewProduct(RequestModel):
    sku: SafeStr = Field(max_length=64, examples=["MUG-BLUE-350"])
    name: SafeStr = Field(min_length=1, max_length=200, examples=["Blue mug, 350 ml"])
    description: SafeStr = Field("", max_length=5000, examples=["A 350 ml stoneware mug."])
    price: PriceInput
    category_id: UUID | None = Field(None, examples=[None])
    attributes: AttributesInput = Field(
        default_factory=dict, examples=[{"color": "blue", "volume_ml": 350}]
    )


class ProductPatch(RequestModel):
    """Only the fields sent change. Requires If-Match with the product's ETag."""

    # One field, as a change usually is: an example of every field would overwrite them all.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"description": "A 350 ml stoneware mug, dishwasher safe."}]
        },
    )

    name: SafeStr | None = Field(None, min_length=1, max_length=200)
    description: SafeStr | None = Field(None, max_length=5000)
    category_id: UUID | None = None
    attributes: AttributesInput | None = None


class CategoryResponse(ResponseModel):
    """A category; the tree is read by `parent_id`."""

    id: UUID
    name: str = Field(examples=["Kitchen"])
    slug: str = Field(examples=["kitchen"])
    parent_id: UUID | None


class NewCategory(RequestModel):
    name: SafeStr = Field(min_length=1, max_length=100, examples=["Mugs"])
    parent_id: UUID | None = Field(None, examples=[None])


class CategoryMove(RequestModel):
    parent_id: UUID | None = Field(
        description="`null` makes it a top-level category.", examples=[None]
    )


class RejectedRow(ResponseModel):
    """A line of the file that was not imported, and why."""

    line: int
    reason: str


class ImportResponse(ResponseModel):
    """What the import did: every valid row was imported together."""

    created: int
    updated: int
    rejected: list[RejectedRow]
