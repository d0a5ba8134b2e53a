"""Schemas of the cart, checkout, order and payment endpoints. Responses are read from the
views (an order in full is the domain's OrderState) by attribute."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import ConfigDict, Field, computed_field, model_validator

from api.ordering.breakdown import BreakdownResponse, ShippingChoiceResponse
from api.schemas import MoneyModel, RequestModel, ResponseModel, SafeStr
from domain.ordering.cart import MAX_QUANTITY
from domain.ordering.values import LineUnits, OrderStatus, ShippingAddress

Text = Annotated[SafeStr, Field(min_length=1, max_length=200)]


class CartLineInput(RequestModel):
    """How many units the cart holds; setting it also accepts the product's current price."""

    # The domain's limit, so the schema (and Swagger UI) can never disagree with it.
    quantity: int = Field(ge=1, le=MAX_QUANTITY, examples=[2])


class CartLineResponse(ResponseModel):
    """One line of the cart, at today's catalog price."""

    sku: str = Field(examples=["MUG-BLUE-350"])
    product_id: UUID
    name: str
    quantity: int
    unit_price: MoneyModel
    line_total: MoneyModel
    confirmed_price: MoneyModel = Field(description="The price when the customer last set it.")
    price_changed: bool = Field(description="The catalog price moved since: confirm again.")
    available: bool = Field(description="False once the product is archived: remove the line.")


class CartResponse(ResponseModel):
    """The cart at today's prices; a flagged line holds up checkout until it is confirmed.
    `breakdown` is what checkout would charge for the lines that can be bought."""

    lines: list[CartLineResponse]
    totals: list[MoneyModel] = Field(description="The lines' total in the cart's currency.")
    item_count: int
    ready_for_checkout: bool
    currency: str = Field(examples=["EUR"])
    breakdown: BreakdownResponse | None = Field(description="None while the cart is empty.")
    shipping_options: list[ShippingChoiceResponse] = Field(
        description="The methods offered to the country asked about (a quote)."
    )


Code = Annotated[SafeStr, Field(min_length=1, max_length=64)]
Codes = Annotated[list[Code], Field(max_length=5)]
Country = Annotated[SafeStr, Field(pattern=r"^[A-Z]{2}$")]
Region = Annotated[SafeStr, Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")]


class CartQuoteRequest(RequestModel):
    """What checkout would charge: a destination, a shipping method, coupons and gift cards.
    Nothing is stored or spent; a bad code is refused as checkout would refuse it."""

    country: Country | None = Field(None, examples=["DE"])
    region: Region | None = Field(None, examples=[None])
    shipping_method: Code | None = Field(None, examples=["standard"])
    coupon_codes: Codes = Field(default_factory=list, examples=[["WELCOME10"]])
    gift_card_codes: Codes = Field(default_factory=list, examples=[[]])


class CartCurrencyRequest(RequestModel):
    """The cart's currency from now on; every line must have a price in it."""

    currency: SafeStr = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])


class AddressModel(RequestModel):
    """Where the parcel goes. Checked for presence and length; the carrier checks the rest."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)  # also read off orders

    name: Text = Field(examples=["Ada Lovelace"])
    line1: Text = Field(examples=["Unter den Linden 1"])
    line2: Annotated[SafeStr, Field(max_length=200)] | None = Field(None, examples=[None])
    city: Text = Field(examples=["Berlin"])
    postal_code: Annotated[SafeStr, Field(min_length=1, max_length=20)] = Field(examples=["10117"])
    # The demo shop ships to DE, FR and AT.
    country: SafeStr = Field(pattern=r"^[A-Z]{2}$", examples=["DE"])
    region: Region | None = Field(None, examples=[None])

    def to_domain(self) -> ShippingAddress:
        return ShippingAddress(**self.model_dump())


class CheckoutRequest(RequestModel):
    """Where to ship (a new address or a saved one), how, with which coupons and gift cards,
    and how to pay what is left; the order takes the cart's lines at the catalog's prices."""

    shipping_address: AddressModel | None = None
    shipping_address_id: UUID | None = Field(
        None,
        description="A saved address of yours, instead of `shipping_address`.",
        examples=[None],
    )
    billing_address: AddressModel | None = Field(None, description="Default: shipping.")
    billing_address_id: UUID | None = Field(None, description="A saved one.", examples=[None])
    shipping_method: Code | None = Field(
        None,
        description="A method offered to the address; required when the shop has any.",
        examples=["standard"],
    )
    coupon_codes: Codes = Field(
        default_factory=list,
        description="The demo shop's WELCOME10 takes 10 % off, once per customer.",
        examples=[[]],
    )
    gift_card_codes: Codes = Field(default_factory=list, examples=[[]])
    email: Annotated[SafeStr, Field(min_length=3, max_length=254)] | None = Field(
        None, description="Required for a guest: where the order's news go.", examples=[None]
    )
    payment_token: SafeStr | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="From the payment provider; not needed when gift cards pay everything. "
        "Simulated: `tok_approve`, `tok_decline`, `tok_timeout`, `tok_flaky`, `tok_pending`.",
        examples=["tok_approve"],
    )

    @model_validator(mode="after")
    def _one_shipping_address(self) -> "CheckoutRequest":
        if self.shipping_address is not None and self.shipping_address_id is not None:
            raise ValueError("give at most one of shipping_address and shipping_address_id")
        if self.billing_address is not None and self.billing_address_id is not None:
            raise ValueError("give at most one of billing_address and billing_address_id")
        return self


class ShipmentLineModel(ResponseModel):
    """Some units of one line of the order, named by its SKU."""

    sku: Annotated[SafeStr, Field(min_length=1, max_length=64, examples=["MUG-BLUE-350"])]
    quantity: int = Field(ge=1, le=MAX_QUANTITY, examples=[1])


class ShipmentResponse(ResponseModel):
    """One parcel of the order; `delivered_at` is null while it is on its way."""

    id: UUID
    lines: list[ShipmentLineModel]
    tracking_number: str
    carrier: str | None
    location: str | None
    shipped_at: datetime
    delivered_at: datetime | None


class OrderLineResponse(ResponseModel):
    """One product at the price the catalog asked when the order was placed."""

    product_id: UUID
    sku: str
    name: str
    unit_price: MoneyModel
    quantity: int
    shipped_quantity: int = Field(0, description="Units of the line that have left, in parcels.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def line_total(self) -> MoneyModel:
        """Derived, never stored or accepted: unit price times quantity."""
        return MoneyModel(
            amount=self.unit_price.amount * self.quantity, currency=self.unit_price.currency
        )


class OrderResponse(ResponseModel):
    """An order in full; `version` is the place of its latest event in the order's history."""

    id: UUID
    customer_id: UUID
    status: OrderStatus = Field(examples=["awaiting_payment"])
    lines: list[OrderLineResponse]
    total: MoneyModel
    amount_due: MoneyModel = Field(description="The total less what gift cards paid.")
    breakdown: BreakdownResponse
    shipping_address: AddressModel
    billing_address: AddressModel
    email: str | None
    guest: bool = Field(description="Placed by a guest and not claimed by an account yet.")
    payment_reference: str | None
    tracking_number: str | None = Field(description="The latest parcel's.")
    carrier: str | None
    cancel_reason: str | None
    refunded: bool = Field(description="Some refund was issued; all of it when `refunded`.")
    captured_amount: MoneyModel = Field(
        validation_alias="captured", description="What the provider captured (ADR 0037)."
    )
    refunded_amount: MoneyModel = Field(
        validation_alias="refunded_total", description="What the issued refunds gave back."
    )
    refunds: list["RefundResponse"] = Field(description="Requested and issued, oldest first.")
    placed_at: datetime
    updated_at: datetime
    version: int
    shipments: list[ShipmentResponse] = Field(description="The order's parcels, oldest first.")
    shipped_units: dict[str, int] = Field(description="Units shipped per SKU, over all parcels.")

    @model_validator(mode="after")
    def _shipped_per_line(self) -> "OrderResponse":
        for line in self.lines:
            line.shipped_quantity = self.shipped_units.get(line.sku, 0)
        return self


class RefundedUnitsModel(ResponseModel):
    """Units of one line a refund pays for."""

    sku: str
    quantity: int


class RefundResponse(ResponseModel):
    """One refund: `issued` once the provider paid it back (`refund_reference`)."""

    refund_id: UUID
    amount: MoneyModel
    reason: str
    actor_id: UUID | None
    lines: list[RefundedUnitsModel]
    return_id: UUID | None
    refund_reference: str | None
    issued: bool


class PlacedOrderResponse(OrderResponse):
    """The order just placed; a guest gets its access token here, once."""

    access_token: str | None = Field(
        description="A guest's key to this order: send it as `X-Order-Token` to read it and "
        "follow it live without logging in. Shown only now."
    )


class OrderSummaryResponse(ResponseModel):
    """An order as a row of a list: no lines, no address."""

    id: UUID
    customer_id: UUID
    status: OrderStatus
    total: MoneyModel
    item_count: int
    placed_at: datetime
    updated_at: datetime


class OrderPage(ResponseModel):
    """Orders, newest first; send `next_cursor` back as `cursor` for the next page."""

    items: list[OrderSummaryResponse]
    next_cursor: str | None


class ClaimedOrders(ResponseModel):
    """The guest orders that became yours."""

    items: list[OrderSummaryResponse]


class TimelineEntryResponse(ResponseModel):
    """One event of the order's history, in words."""

    version: int
    event_type: str = Field(examples=["OrderPaid"])
    status: OrderStatus
    occurred_at: datetime
    actor_id: UUID | None = Field(description="Who did it; null when the shop itself acted.")
    summary: str = Field(examples=["Order paid"])
    return_id: UUID | None = Field(
        None, description="Set when the event is one of the order's returns'."
    )


class Timeline(ResponseModel):
    """The order's history, oldest event first."""

    items: list[TimelineEntryResponse]


class CancelRequest(RequestModel):
    """Why the order is cancelled; possible until it ships."""

    reason: Text = Field(examples=["ordered by mistake"])


class ShipRequest(RequestModel):
    """A paid order's shipment; reporting the same tracking number again changes nothing."""

    tracking_number: SafeStr = Field(min_length=1, max_length=64, examples=["1Z999AA10123456784"])
    carrier: Annotated[SafeStr, Field(min_length=1, max_length=64)] | None = Field(
        None, examples=["UPS"]
    )


class ShipmentRequest(RequestModel):
    """A parcel leaving: `lines` (left out: every unit not shipped yet) from `location` (left
    out: where the units were allocated). The same shipment sent again changes nothing."""

    lines: list[ShipmentLineModel] | None = Field(None, min_length=1, max_length=100)
    tracking_number: SafeStr = Field(min_length=1, max_length=64, examples=["1Z999AA10123456784"])
    carrier: Annotated[SafeStr, Field(min_length=1, max_length=64)] | None = Field(
        None, examples=["UPS"]
    )
    location: Annotated[SafeStr, Field(min_length=1, max_length=64)] | None = Field(
        None, examples=["main"]
    )
    shipment_id: UUID | None = Field(
        None,
        description="Yours to choose; left out, it is derived from the tracking number.",
        examples=["0f8e2c1a-5b7d-4e3f-9a6c-2d1b0e9f8a7c"],
    )

    def to_domain(self) -> tuple[LineUnits, ...] | None:
        if self.lines is None:
            return None
        return tuple(LineUnits(sku=line.sku, quantity=line.quantity) for line in self.lines)


class RefundRequest(RequestModel):
    """Why the money is given back: all that is left of what was captured."""

    reason: Text = Field(examples=["damaged in transit"])


class RefundAmountInput(RequestModel):
    amount: Annotated[SafeStr, Field(pattern=r"^\d{1,8}(\.\d{1,3})?$", examples=["5.00"])]
    currency: SafeStr = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])


class RefundUnitsInput(RequestModel):
    sku: SafeStr = Field(min_length=1, max_length=64, examples=["MUG-BLUE-350"])
    quantity: int = Field(ge=1, le=999, examples=[1])


class PartialRefundRequest(RequestModel):
    """Part of the captured money (`amount`), or all that is left (no amount); `lines` name
    the units it pays for. Refunds never add up to more than was captured."""

    reason: Text = Field(examples=["one mug arrived broken"])
    amount: RefundAmountInput | None = None
    lines: list[RefundUnitsInput] = Field(default_factory=list, max_length=100)


class WebhookAck(ResponseModel):
    """`applied` (a duplicate changes nothing), or `ignored` when no order has that reference."""

    status: Literal["applied", "ignored"]
