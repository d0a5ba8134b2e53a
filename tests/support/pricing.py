"""Builders of the price pipeline's inputs: each names only what a test is about."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from domain.ordering.pricing.inputs import (
    GiftCardBalance,
    PricedLine,
    PromotionKind,
    PromotionRule,
    PromotionTarget,
    RateBand,
    ShippingBasis,
    ShippingKind,
    ShippingOption,
    TaxRate,
    TaxTable,
)
from domain.shared.money import Money

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def line(
    unit_price: str,
    currency: str = "EUR",
    *,
    quantity: int = 1,
    product_id: uuid.UUID | None = None,
    category_ids: tuple[uuid.UUID, ...] = (),
    tax_category: str = "standard",
    weight_grams: int = 500,
) -> PricedLine:
    return PricedLine(
        sku=f"SKU-{uuid.uuid4().hex[:8]}",
        product_id=product_id or uuid.uuid4(),
        variant_id=uuid.uuid4(),
        name="T-shirt (M, red)",
        unit_price=Money.of(unit_price, currency),
        quantity=quantity,
        category_ids=category_ids,
        tax_category=tax_category,
        weight_grams=weight_grams,
    )


def promotion(
    kind: PromotionKind,
    target: PromotionTarget,
    *,
    name: str = "promotion",
    percent: str | None = None,
    amount: Money | None = None,
    buy_quantity: int = 0,
    get_quantity: int = 0,
    product_ids: tuple[uuid.UUID, ...] = (),
    category_ids: tuple[uuid.UUID, ...] = (),
    min_subtotal: Money | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    priority: int = 0,
    exclusive: bool = False,
    coupon_code: str | None = None,
) -> PromotionRule:
    return PromotionRule(
        promotion_id=uuid.uuid4(),
        name=name,
        kind=kind,
        target=target,
        percent=Decimal(percent) if percent is not None else None,
        amount=amount,
        buy_quantity=buy_quantity,
        get_quantity=get_quantity,
        product_ids=product_ids,
        category_ids=category_ids,
        min_subtotal=min_subtotal,
        starts_at=starts_at,
        ends_at=ends_at,
        priority=priority,
        exclusive=exclusive,
        coupon_code=coupon_code,
    )


def taxes(*rates: tuple[str, str], included: bool, name: str = "VAT") -> TaxTable:
    """`rates` as (tax category, percent)."""
    return TaxTable(
        country="FR",
        region=None,
        prices_include_tax=included,
        rates=tuple(TaxRate(tax_category=c, rate=Decimal(r), name=name) for c, r in rates),
    )


def shipping(
    *bands: tuple[str, str],
    currency: str = "EUR",
    basis: ShippingBasis = ShippingBasis.WEIGHT,
    free_above: str | None = None,
    tax_category: str = "standard",
    max_weight_grams: int | None = None,
) -> ShippingOption:
    """`bands` as (from value, price)."""
    return ShippingOption(
        method_id=uuid.uuid4(),
        code="standard",
        name="Standard",
        kind=ShippingKind.STANDARD,
        basis=basis,
        bands=tuple(
            RateBand(from_value=Decimal(start), price=Money.of(price, currency))
            for start, price in bands
        ),
        free_above=Money.of(free_above, currency) if free_above is not None else None,
        tax_category=tax_category,
        max_weight_grams=max_weight_grams,
    )


def gift_card(balance: str, currency: str = "EUR") -> GiftCardBalance:
    return GiftCardBalance(
        gift_card_id=uuid.uuid4(), last_four="AB12", balance=Money.of(balance, currency)
    )
