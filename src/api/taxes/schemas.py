"""Schemas of tax administration; responses are read from the views by attribute, rates are
decimal strings."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from api.schemas import DecimalString, RequestModel, ResponseModel, SafeStr

Code = Annotated[SafeStr, Field(min_length=1, max_length=32, examples=["reduced"])]
RateInput = Annotated[
    SafeStr,
    Field(pattern=r"^\d{1,3}(\.\d{1,4})?$", description="A percent, 0 to 100", examples=["19"]),
]
Name = Annotated[SafeStr, Field(min_length=1, max_length=100, examples=["VAT"])]


class NewTaxCategory(RequestModel):
    code: Code
    name: Name = Field(examples=["Reduced rate (food, books)"])


class TaxCategoryPatch(RequestModel):
    name: Name


class TaxCategoryResponse(ResponseModel):
    """A tax category; products and shipping methods name it by `code`."""

    code: str
    name: str
    created_at: datetime
    updated_at: datetime
    version: int


class TaxCategoryPage(ResponseModel):
    """Tax categories by code; send `next_cursor` back as `cursor` for the next page."""

    items: list[TaxCategoryResponse]
    next_cursor: str | None


class NewTaxRate(RequestModel):
    """A category's rate in a country, or in a region of it (which overrides the country's)."""

    country: SafeStr = Field(pattern=r"^[A-Za-z]{2}$", examples=["DE"])
    region: SafeStr | None = Field(
        None, max_length=6, description="ISO 3166-2, e.g. US-CA", examples=[None]
    )
    tax_category: Code = Field(examples=["standard"])
    rate: RateInput
    name: Name = Field(examples=["VAT"])


class TaxRatePatch(RequestModel):
    """A partial update: fields left out keep their value."""

    rate: RateInput | None = None
    name: Name | None = None


class TaxRateResponse(ResponseModel):
    """A category's rate at a destination, a percent."""

    id: UUID
    country: str
    region: str | None
    tax_category: str
    rate: DecimalString = Field(examples=["19.0000"])
    name: str
    created_at: datetime
    updated_at: datetime
    version: int


class TaxRatePage(ResponseModel):
    """Rates by country, region (country-wide first) and category."""

    items: list[TaxRateResponse]
    next_cursor: str | None


class CurrencyModeInput(RequestModel):
    prices_include_tax: bool = Field(
        description="true: prices in this currency are entered with tax included (EUR, GBP); "
        "false: tax is added on top (USD)"
    )


class CurrencyModeResponse(ResponseModel):
    """How prices in a currency are entered; a currency without one adds tax on top."""

    currency: str
    prices_include_tax: bool
    updated_at: datetime
    version: int


class CurrencyModeList(ResponseModel):
    """Every currency with a mode set, by code."""

    items: list[CurrencyModeResponse]
