"""Schemas of the catalog endpoints. Money is a decimal string and a currency, never a float.
Responses are read from the application's views by attribute."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, TypeAdapter, computed_field

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


OptionName = Annotated[SafeStr, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", examples=["size"])]
OptionValue = Annotated[SafeStr, Field(min_length=1, max_length=40, examples=["M"])]
# A variant's (name, value) pairs, in the product's option order, as one JSON object.
OptionValues = Annotated[dict[str, str], BeforeValidator(dict)]


class OptionResponse(ResponseModel):
    """A product option and its values, in order."""

    name: str = Field(examples=["size"])
    values: list[str] = Field(examples=[["S", "M", "L"]])


class VariantResponse(ResponseModel):
    """A variant: its own SKU (its stock item), one value per option, one price per currency."""

    id: UUID
    sku: str = Field(examples=["TEE-M-RED"])
    options: OptionValues = Field(examples=[{"size": "M", "colour": "red"}])
    prices: list[MoneyModel]
    weight_grams: int = Field(examples=[180])
    image_ids: list[UUID]
    position: int
    active: bool


class ProductResponse(ProductSummaryResponse):
    """One product in full; `version` is also sent as the ETag. `price` and `sku` are the
    default (first) variant's; the public see active variants only."""

    description: str
    attributes: dict[str, AttributeValue] = Field(examples=[{"color": "blue", "volume_ml": 350}])
    image_ids: list[UUID] = Field(exclude=True)
    updated_at: datetime
    version: int
    tax_category: str = Field(examples=["standard"])
    options: list[OptionResponse]
    variants: list[VariantResponse]

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


TaxCategory = Annotated[SafeStr, Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$", examples=["standard"])]


class OptionInput(RequestModel):
    name: OptionName
    values: list[OptionValue] = Field(min_length=1, max_length=50, examples=[["S", "M", "L"]])


class OptionsInput(RequestModel):
    """The product's options in order; a value a variant uses cannot go."""

    options: list[OptionInput] = Field(max_length=3)


class PricesInput(RequestModel):
    """One price per currency; the first is the variant's primary price."""

    prices: list[PriceInput] = Field(min_length=1, max_length=20)


class NewVariant(RequestModel):
    sku: SafeStr = Field(max_length=64, examples=["TEE-M-RED"])
    options: dict[OptionName, OptionValue] = Field(
        default_factory=dict, examples=[{"size": "M", "colour": "red"}]
    )
    prices: list[PriceInput] = Field(min_length=1, max_length=20)
    weight_grams: int = Field(0, ge=0, le=1_000_000, examples=[180])
    image_ids: list[UUID] = Field(
        default_factory=list,
        max_length=10,
        description="Among the product's images",
        examples=[[]],
    )
    position: int | None = Field(None, ge=0, le=10_000, description="After the others if absent")
    active: bool = True


class VariantPatch(RequestModel):
    """Only the fields sent change (prices have their own endpoint). Requires If-Match."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"active": False}]})

    sku: SafeStr | None = Field(None, max_length=64)
    options: dict[OptionName, OptionValue] | None = None
    weight_grams: int | None = Field(None, ge=0, le=1_000_000)
    image_ids: list[UUID] | None = Field(None, max_length=10, examples=[[]])
    position: int | None = Field(None, ge=0, le=10_000)
    active: bool | None = None


class NewProduct(RequestModel):
    sku: SafeStr = Field(max_length=64, examples=["MUG-BLUE-350"])
    name: SafeStr = Field(min_length=1, max_length=200, examples=["Blue mug, 350 ml"])
    description: SafeStr = Field("", max_length=5000, examples=["A 350 ml stoneware mug."])
    price: PriceInput
    category_id: UUID | None = Field(None, examples=[None])
    attributes: AttributesInput = Field(
        default_factory=dict, examples=[{"color": "blue", "volume_ml": 350}]
    )
    options: list[OptionInput] = Field(
        default_factory=list,
        max_length=3,
        description="The product's one variant (its SKU, price) takes each option's first value",
    )
    tax_category: TaxCategory = "standard"


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
    tax_category: TaxCategory | None = None


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
