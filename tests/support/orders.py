"""Orders for tests: an address, lines and orders at a fixed time, placed or paid."""

import uuid
from datetime import UTC, datetime

from domain.ordering.order import Order
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


def placed(*lines: OrderLine) -> Order:
    return Order.place(
        order_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        lines=list(lines) or [line()],
        shipping_address=ADDRESS,
        now=NOW,
    )


def paid() -> Order:
    order = placed()
    order.confirm_stock(now=NOW)
    order.record_payment("pay_1", order.state.total, now=NOW)
    return order
