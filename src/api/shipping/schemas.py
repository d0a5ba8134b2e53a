"""Schemas of shipping: methods as staff write and read them, and what a destination is
offered. Amounts and band starts are decimal strings."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from api.schemas import DecimalString, RequestModel, ResponseModel, SafeStr
from domain.shipping.values import DEFAULT_TAX_CATEGORY, MAX_GRAMS, Basis, MethodKind

Amount = Annotated[SafeStr, Field(pattern=r"^\d{1,8}(\.\d{1,2})?$", examples=["4.90"])]
Code = Annotated[SafeStr, Field(min_length=1, max_length=32, examples=["standard"])]
Country = Annotated[SafeStr, Field(pattern=r"^[A-Za-z]{2}$", examples=["DE"])]


class BandInput(RequestModel):
    from_value: Amount = Field(description="Grams, or an order value in the currency")
    price: Amount


class TariffInput(RequestModel):
    """A method's prices in one currency: bands starting at 0, increasing."""

    currency: SafeStr = Field(pattern=r"^[A-Za-z]{3}$", examples=["EUR"])
    bands: list[BandInput] = Field(min_length=1, max_length=50)
    free_above: Amount | None = Field(None, description="Free from this order value on")


class NewShippingMethod(RequestModel):
    code: Code = Field(examples=["standard"])
    name: SafeStr = Field(min_length=1, max_length=100, examples=["Standard parcel"])
    kind: MethodKind
    basis: Basis
    countries: list[Country] = Field(min_length=1, max_length=250, examples=[["DE", "FR", "AT"]])
    tariffs: list[TariffInput] = Field(min_length=1, max_length=50)
    tax_category: Code = DEFAULT_TAX_CATEGORY
    max_weight_grams: int | None = Field(None, ge=1, le=MAX_GRAMS)
    active: bool = True


class ShippingMethodPatch(RequestModel):
    """A partial update: fields left out keep their value; `tariffs` replaces them all, and a
    new `basis` needs them; `max_weight_grams: null` lifts the limit."""

    name: SafeStr | None = Field(None, min_length=1, max_length=100, examples=["Parcel"])
    countries: list[Country] | None = Field(
        None, min_length=1, max_length=250, examples=[["DE", "FR", "AT"]]
    )
    basis: Basis | None = None
    tariffs: list[TariffInput] | None = Field(None, min_length=1, max_length=50)
    tax_category: Code | None = None
    max_weight_grams: int | None = Field(None, ge=1, le=MAX_GRAMS)
    active: bool | None = None


class BandResponse(ResponseModel):
    from_value: DecimalString
    price: DecimalString


class TariffResponse(ResponseModel):
    currency: str
    bands: list[BandResponse]
    free_above: DecimalString | None


class ShippingMethodResponse(ResponseModel):
    """A shipping method in full."""

    id: UUID
    code: str
    name: str
    kind: str
    basis: str
    countries: list[str]
    tariffs: list[TariffResponse]
    tax_category: str
    max_weight_grams: int | None
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


class ShippingMethodPage(ResponseModel):
    """Methods by code; send `next_cursor` back as `cursor` for the next page."""

    items: list[ShippingMethodResponse]
    next_cursor: str | None


class OfferedMethodResponse(ResponseModel):
    """A method the destination is offered, priced in the asked currency: the band with the
    greatest `from_value` not above the cart's weight (or value) applies."""

    id: UUID
    code: str
    name: str
    kind: str
    basis: str
    currency: str
    bands: list[BandResponse]
    free_above: DecimalString | None
    tax_category: str
    max_weight_grams: int | None


class OfferedMethodList(ResponseModel):
    items: list[OfferedMethodResponse]
