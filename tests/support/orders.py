"""Orders for tests: an address, lines and orders at a fixed time, placed or paid; each order
priced by the price pipeline from its lines (no promotions, shipping, tax or gift cards unless
a test gives them)."""

import dataclasses
import uuid
from datetime import UTC, datetime

from domain.ordering.order import Order
from domain.ordering.pricing.inputs import PricedLine, PricingInput
from domain.ordering.pricing.pipeline import price
from domain.ordering.values import OrderLine, ShippingAddress
from domain.shared.money import Money

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ADDRESS = ShippingAddress(
    name="Ada", line1="1 Main St", line2=None, city="Paris", postal_code="75001", country="FR"
)


def line(price: str = "10.00", quantity: int = 2, currency: str = "EUR") -> OrderLine:
    return OrderLine(
        product_id=uuid.uuid4(),
        sku=f"SKU-{uuid.uuid4().hex[:6]}".upper(),
        name="Mug",
        unit_price=Money.of(price, currency),
        quantity=quantity,
    )


def priced(line: OrderLine) -> PricedLine:
    return PricedLine(
        sku=line.sku,
        product_id=line.product_id,
        variant_id=line.product_id,
        name=line.name,
        unit_price=line.unit_price,
        quantity=line.quantity,
        category_ids=(),
        tax_category="standard",
        weight_grams=250,
    )


def pricing(*lines: OrderLine, **given: object) -> PricingInput:
    """The pipeline's input for these lines, in the first line's currency; `given` sets the
    other inputs (promotions, taxes, shipping, gift_cards)."""
    chosen = list(lines) or [line()]
    plain = PricingInput(
        currency=chosen[0].unit_price.currency,
        lines=tuple(priced(each) for each in chosen),
        now=NOW,
    )
    return dataclasses.replace(plain, **given)  # type: ignore[arg-type]


def placed(*lines: OrderLine, given: PricingInput | None = None, guest: bool = False) -> Order:
    inputs = given or pricing(*lines)
    return Order.place(
        order_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        pricing=inputs,
        breakdown=price(inputs),
        shipping_address=ADDRESS,
        email="ada@example.com" if guest else None,
        guest=guest,
        now=NOW,
    )


def paid() -> Order:
    order = placed()
    order.confirm_stock(now=NOW)
    order.record_payment("pay_1", order.state.amount_due, now=NOW)
    return order
