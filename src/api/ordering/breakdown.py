"""The price pipeline's breakdown as the cart and the order show it: every number and how it
was reached (read from the domain's `Breakdown` by attribute)."""

from uuid import UUID

from pydantic import Field

from api.schemas import DecimalString, MoneyModel, ResponseModel


class DiscountResponse(ResponseModel):
    """What one promotion took off."""

    promotion_id: UUID
    name: str = Field(examples=["Welcome 10 %"])
    coupon_code: str | None = Field(examples=["WELCOME10"])
    amount: MoneyModel


class BreakdownLineResponse(ResponseModel):
    """One line: its price, its discounts (its own and its share of the order's), its tax."""

    sku: str
    product_id: UUID
    variant_id: UUID
    name: str
    quantity: int
    unit_price: MoneyModel
    subtotal: MoneyModel
    discounts: list[DiscountResponse]
    discount_total: MoneyModel
    total: MoneyModel
    tax_category: str
    tax_rate: DecimalString = Field(description="Percent.", examples=["19"])
    tax: MoneyModel


class ShippingChargeResponse(ResponseModel):
    """The chosen method's price, what made it cheaper, and its tax."""

    method_id: UUID
    code: str = Field(examples=["standard"])
    name: str
    price: MoneyModel
    discounts: list[DiscountResponse]
    total: MoneyModel
    tax_rate: DecimalString
    tax: MoneyModel
    free_above_reached: bool = Field(description="Free: the goods reached the method's threshold.")


class TaxLineResponse(ResponseModel):
    """The tax of one rate over the lines and shipping it applies to."""

    name: str = Field(examples=["VAT"])
    tax_category: str
    rate: DecimalString
    amount: MoneyModel


class GiftCardChargeResponse(ResponseModel):
    """What one gift card pays; only the code's last four characters are shown."""

    gift_card_id: UUID
    last_four: str
    amount: MoneyModel


class BreakdownResponse(ResponseModel):
    """Every number and how it was reached: total = subtotal - discount_total + shipping
    (+ tax_total when prices exclude tax); amount_due = total - gift_card_total."""

    currency: str
    prices_include_tax: bool
    lines: list[BreakdownLineResponse]
    subtotal: MoneyModel
    discount_total: MoneyModel
    shipping: ShippingChargeResponse | None
    taxes: list[TaxLineResponse]
    tax_total: MoneyModel
    total: MoneyModel
    gift_cards: list[GiftCardChargeResponse]
    gift_card_total: MoneyModel
    amount_due: MoneyModel = Field(description="What the payment provider is asked for.")
    promotions_applied: list[UUID]
    coupons_applied: list[str]
    order_discounts: list[DiscountResponse] = Field(
        description="Each order promotion's whole amount; the lines hold its shares."
    )


class ShippingChoiceResponse(ResponseModel):
    """A shipping method offered to the destination asked about."""

    code: str = Field(examples=["standard"])
    name: str = Field(examples=["Standard"])
    kind: str = Field(examples=["standard"])
