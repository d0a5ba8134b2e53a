"""Hypothesis strategies for the price pipeline's inputs: carts in JPY, EUR and KWD with 1 to 20
lines, promotions of every kind, tax tables with and without tax included, shipping options and
gift cards. Amounts are whole minor units, so every generated input is a valid one."""

import dataclasses
import uuid
from datetime import timedelta
from decimal import Decimal

from hypothesis import strategies as st

from domain.ordering.pricing.inputs import (
    GiftCardBalance,
    PricedLine,
    PricingInput,
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
from domain.shared.money import Money, quantum
from tests.support.pricing import NOW

PRODUCTS = [uuid.UUID(int=n) for n in range(1, 5)]
CATEGORIES = [uuid.UUID(int=n) for n in range(100, 103)]
TAX_CATEGORIES = ["standard", "reduced", "books", "shipping"]
# Mostly open windows, so that most promotions are in force and take something off.
STARTS = [None, None, None, NOW - timedelta(hours=1), NOW, NOW + timedelta(hours=1)]
ENDS = [None, None, None, NOW, NOW + timedelta(hours=1)]


def amounts(currency: str, most: int = 100_000) -> st.SearchStrategy[Money]:
    """Whole minor units up to `most` of them: at most 100,000 JPY, 1,000 EUR, 100 KWD."""
    return st.integers(0, most).map(lambda units: Money.of(units * quantum(currency), currency))


def percents() -> st.SearchStrategy[Decimal]:
    return st.integers(1, 10_000).map(lambda hundredths: Decimal(hundredths) / 100)


@st.composite
def lines_in(draw: st.DrawFn, currency: str) -> PricedLine:
    return PricedLine(
        sku=f"SKU-{draw(st.integers(0, 10**6))}",
        product_id=draw(st.sampled_from(PRODUCTS)),
        variant_id=uuid.uuid4(),
        name="a product",
        unit_price=draw(amounts(currency)),
        quantity=draw(st.integers(1, 20)),
        category_ids=tuple(draw(st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True))),
        tax_category=draw(st.sampled_from(TAX_CATEGORIES)),
        weight_grams=draw(st.integers(0, 5_000)),
    )


@st.composite
def promotions(draw: st.DrawFn, currency: str) -> PromotionRule:
    kind = draw(st.sampled_from(PromotionKind))
    target = draw(st.sampled_from(PromotionTarget))
    fixed_currency = draw(st.sampled_from([currency, currency, "USD"]))
    return PromotionRule(
        promotion_id=uuid.uuid4(),
        name=f"{kind} on {target}",
        kind=kind,
        target=target,
        # Without a percent a buy-X-get-Y gives the units away; the other kinds ignore it.
        percent=draw(st.none() | percents())
        if kind is PromotionKind.BUY_X_GET_Y
        else draw(percents()),
        amount=draw(amounts(fixed_currency, 20_000)),
        buy_quantity=draw(st.integers(0, 3)),
        get_quantity=draw(st.integers(0, 2)),
        product_ids=tuple(draw(st.lists(st.sampled_from(PRODUCTS), min_size=1, unique=True))),
        category_ids=tuple(draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, unique=True))),
        min_subtotal=draw(st.none() | amounts(currency, 200_000)) if draw(st.booleans()) else None,
        starts_at=draw(st.sampled_from(STARTS)),
        ends_at=draw(st.sampled_from(ENDS)),
        priority=draw(st.integers(0, 3)),
        exclusive=draw(st.booleans()),
        coupon_code=draw(st.none() | st.sampled_from(["SAVE", "SHIP", "BOGO"])),
    )


@st.composite
def tax_tables(draw: st.DrawFn) -> TaxTable:
    categories = draw(st.lists(st.sampled_from(TAX_CATEGORIES), unique=True))
    rates = st.sampled_from(["0", "5", "7.25", "10", "19", "20", "25"]).map(Decimal)
    return TaxTable(
        country="FR",
        region=None,
        prices_include_tax=draw(st.booleans()),
        rates=tuple(TaxRate(tax_category=c, rate=draw(rates), name="VAT") for c in categories),
    )


@st.composite
def shipping_options(draw: st.DrawFn, currency: str) -> ShippingOption:
    starts = draw(st.lists(st.integers(1, 100_000), max_size=3, unique=True))
    return ShippingOption(
        method_id=uuid.uuid4(),
        code="standard",
        name="Standard",
        kind=ShippingKind.STANDARD,
        basis=draw(st.sampled_from(ShippingBasis)),
        bands=tuple(
            RateBand(from_value=Decimal(start), price=draw(amounts(currency, 5_000)))
            for start in [0, *starts]
        ),
        free_above=draw(st.none() | amounts(currency, 500_000)),
        tax_category=draw(st.sampled_from(TAX_CATEGORIES)),
    )


@st.composite
def gift_cards(draw: st.DrawFn, currency: str) -> GiftCardBalance:
    return GiftCardBalance(
        gift_card_id=uuid.uuid4(), last_four="AB12", balance=draw(amounts(currency, 200_000))
    )


@st.composite
def carts(draw: st.DrawFn) -> PricingInput:
    currency = draw(st.sampled_from(["JPY", "EUR", "KWD"]))
    return PricingInput(
        currency=currency,
        # Sizes drawn first: hypothesis's own lists stay short, and carts here must also be long.
        lines=tuple(draw(lines_in(currency)) for _ in range(draw(st.integers(1, 20)))),
        promotions=tuple(draw(promotions(currency)) for _ in range(draw(st.integers(0, 6)))),
        taxes=draw(st.none() | tax_tables()),
        shipping=draw(st.none() | shipping_options(currency)),
        gift_cards=draw(gift_card_lists(currency)),
        now=NOW,
    )


@st.composite
def gift_card_lists(draw: st.DrawFn, currency: str) -> tuple[GiftCardBalance, ...]:
    """Up to three cards, and sometimes one of them again: a customer may give a card twice."""
    cards = draw(st.lists(gift_cards(currency), max_size=3))
    again: bool = draw(st.booleans())
    if cards and again:
        cards.insert(draw(st.integers(0, len(cards))), draw(st.sampled_from(cards)))
    return tuple(cards)


@st.composite
def crowded_carts(draw: st.DrawFn) -> PricingInput:
    """One to four lines of two products and up to eight valid promotions in force on them:
    several discounts meet on each line, so stacking order and exclusivity are exercised."""
    currency = draw(st.sampled_from(["JPY", "EUR", "KWD"]))
    lines = [
        dataclasses.replace(
            draw(lines_in(currency)), product_id=draw(st.sampled_from(PRODUCTS[:2]))
        )
        for _ in range(draw(st.integers(1, 4)))
    ]
    rules = []
    for _ in range(draw(st.integers(2, 8))):
        kind = draw(
            st.sampled_from(
                [PromotionKind.PERCENTAGE, PromotionKind.FIXED, PromotionKind.BUY_X_GET_Y]
            )
        )
        rules.append(
            PromotionRule(
                promotion_id=uuid.uuid4(),
                name=str(kind),
                kind=kind,
                target=draw(st.sampled_from([PromotionTarget.PRODUCTS, PromotionTarget.ORDER])),
                percent=draw(percents()),
                amount=draw(amounts(currency, 2_000)),
                buy_quantity=draw(st.integers(1, 2)),
                get_quantity=1,
                product_ids=tuple(PRODUCTS[:2]),
                priority=draw(st.integers(0, 2)),
                exclusive=draw(st.booleans()),
            )
        )
    return PricingInput(currency=currency, lines=tuple(lines), promotions=tuple(rules), now=NOW)
