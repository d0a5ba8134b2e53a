"""Schemas of the cart, checkout, order and payment endpoints. Responses are read from the
views (an order in full is the domain's OrderState) by attribute."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import ConfigDict, Field, computed_field

from api.schemas import MoneyModel, RequestModel, ResponseModel, SafeStr
from domain.ordering.cart import MAX_QUANTITY
from domain.ordering.values import OrderStatus, ShippingAddress

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
    """The cart at today's prices; a flagged line holds up checkout until it is confirmed."""

    lines: list[CartLineResponse]
    totals: list[MoneyModel] = Field(description="One total per currency.")
    item_count: int
    ready_for_checkout: bool


class AddressModel(RequestModel):
    """Where the parcel goes. Checked for presence and length; the carrier checks the rest."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)  # also read off orders

    name: Text = Field(examples=["Ada Lovelace"])
    line1: Text = Field(examples=["12 Market Street"])
    line2: Annotated[SafeStr, Field(max_length=200)] | None = Field(None, examples=[None])
    city: Text = Field(examples=["London"])
    postal_code: Annotated[SafeStr, Field(min_length=1, max_length=20)] = Field(
        examples=["EC1A 1BB"]
    )
    country: SafeStr = Field(pattern=r"^[A-Z]{2}$", examples=["GB"])

    def to_domain(self) -> ShippingAddress:
        return ShippingAddress(**self.model_dump())


class CheckoutRequest(RequestModel):
    """Where to ship and how to pay; the order takes the cart's lines at the catalog's prices."""

    shipping_address: AddressModel
    payment_token: SafeStr = Field(
        min_length=1,
        max_length=100,
        description="From the payment provider. Simulated: `tok_approve`, `tok_decline`, "
        "`tok_timeout`, `tok_flaky`, `tok_pending`.",
        examples=["tok_approve"],
    )


class OrderLineResponse(ResponseModel):
    """One product at the price the catalog asked when the order was placed."""

    product_id: UUID
    sku: str
    name: str
    unit_price: MoneyModel
    quantity: int

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
    shipping_address: AddressModel
    payment_reference: str | None
    tracking_number: str | None
    carrier: str | None
    cancel_reason: str | None
    refunded: bool
    placed_at: datetime
    updated_at: datetime
    version: int


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


class TimelineEntryResponse(ResponseModel):
    """One event of the order's history, in words."""

    version: int
    event_type: str = Field(examples=["OrderPaid"])
    status: OrderStatus
    occurred_at: datetime
    actor_id: UUID | None = Field(description="Who did it; null when the shop itself acted.")
    summary: str = Field(examples=["Order paid"])


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


class RefundRequest(RequestModel):
    """Why the money is given back; an order whose payment was taken is refunded once."""

    reason: Text = Field(examples=["damaged in transit"])


class WebhookAck(ResponseModel):
    """`applied` (a duplicate changes nothing), or `ignored` when no order has that reference."""

    status: Literal["applied", "ignored"]
