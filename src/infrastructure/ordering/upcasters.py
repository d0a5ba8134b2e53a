"""Old order events read as the current schema: an `OrderPlaced` of v1 (lines and a total, from
before the price pipeline) gets the inputs and the breakdown it would have had: its lines at
their prices, nothing taken off, no shipping, no tax, no gift card (ADR 0036). A v1
`PaymentAuthorized` was the charge itself (captured), a v1 `RefundIssued` the whole refund
(ADR 0037)."""

from datetime import datetime
from decimal import Decimal

from domain.ordering.pricing.breakdown import Breakdown, BreakdownLine
from domain.ordering.pricing.inputs import PricedLine, PricingInput
from domain.ordering.values import OrderLine
from domain.shared.money import Money
from infrastructure.eventlog.registry import (
    EventRegistry,
    Payload,
    from_json_value,
    to_json_value,
)

V1_TAX_CATEGORY = "standard"  # v1 orders knew no tax categories; their tax was zero


def register_upcasters(registry: EventRegistry) -> None:
    registry.upcaster("OrderPlaced", from_version=1)(order_placed_v1_to_v2)
    registry.upcaster("PaymentAuthorized", from_version=1)(payment_authorized_v1_to_v2)
    registry.upcaster("RefundIssued", from_version=1)(refund_issued_v1_to_v2)


def order_placed_v1_to_v2(payload: Payload) -> Payload:
    lines = [from_json_value(OrderLine, line) for line in payload["lines"]]
    total = from_json_value(Money, payload["total"])
    zero = Money.zero(total.currency)
    given = PricingInput(
        currency=total.currency,
        lines=tuple(_priced(line) for line in lines),
        now=datetime.fromisoformat(payload["occurred_at"]),
    )
    breakdown = Breakdown(
        currency=total.currency,
        prices_include_tax=False,
        lines=tuple(_line(line, zero) for line in lines),
        subtotal=total,
        discount_total=zero,
        shipping=None,
        taxes=(),
        tax_total=zero,
        total=total,
        gift_cards=(),
        gift_card_total=zero,
        amount_due=total,
        promotions_applied=(),
        coupons_applied=(),
    )
    return payload | {
        "pricing": to_json_value(given),
        "breakdown": to_json_value(breakdown),
        "billing_address": payload["shipping_address"],
        "email": None,
        "guest": False,
    }


def _priced(line: OrderLine) -> PricedLine:
    return PricedLine(
        sku=line.sku,
        product_id=line.product_id,
        variant_id=line.product_id,  # a product without variants is its own variant
        name=line.name,
        unit_price=line.unit_price,
        quantity=line.quantity,
        category_ids=(),
        tax_category=V1_TAX_CATEGORY,
        weight_grams=0,
    )


def _line(line: OrderLine, zero: Money) -> BreakdownLine:
    return BreakdownLine(
        sku=line.sku,
        product_id=line.product_id,
        variant_id=line.product_id,
        name=line.name,
        quantity=line.quantity,
        unit_price=line.unit_price,
        subtotal=line.total,
        discounts=(),
        discount_total=zero,
        total=line.total,
        tax_category=V1_TAX_CATEGORY,
        tax_rate=Decimal(0),
        tax=zero,
    )


def payment_authorized_v1_to_v2(payload: Payload) -> Payload:
    """Before ADR 0037 the provider charged at once: the authorisation was the capture."""
    return payload | {"captured": True}


def refund_issued_v1_to_v2(payload: Payload) -> Payload:
    """Before ADR 0037 a refund gave back all that was taken, once, without a request."""
    return payload | {
        "lines": payload.get("lines", []),
        "return_id": payload.get("return_id"),
        "refund_id": None,
        "refunded_in_full": True,
    }
