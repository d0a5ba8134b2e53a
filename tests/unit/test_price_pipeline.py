"""The price pipeline, one rule at a time, against numbers worked out by hand (ADR 0028, 0029)."""

import dataclasses
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from domain.ordering.errors import CurrencyMismatch, ShippingNotOffered
from domain.ordering.pricing.breakdown import Breakdown
from domain.ordering.pricing.inputs import (
    GiftCardBalance,
    PricedLine,
    PricingInput,
    PromotionKind,
    PromotionRule,
    PromotionTarget,
    ShippingBasis,
    ShippingOption,
    TaxTable,
)
from domain.ordering.pricing.pipeline import price
from domain.ordering.pricing.rounding import allocate
from domain.shared.money import Money
from tests.support.pricing import NOW, gift_card, line, promotion, shipping, taxes

PERCENTAGE, FIXED = PromotionKind.PERCENTAGE, PromotionKind.FIXED
PRODUCTS, ORDER = PromotionTarget.PRODUCTS, PromotionTarget.ORDER


def priced(
    *lines: PricedLine,
    currency: str = "EUR",
    promotions: tuple[PromotionRule, ...] = (),
    tax_table: TaxTable | None = None,
    option: ShippingOption | None = None,
    cards: tuple[GiftCardBalance, ...] = (),
) -> Breakdown:
    return price(
        PricingInput(
            currency=currency,
            lines=lines,
            promotions=promotions,
            taxes=tax_table,
            shipping=option,
            gift_cards=cards,
            now=NOW,
        )
    )


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def test_vat_included_is_the_part_of_each_lines_total_that_is_tax() -> None:
    # 29.97 / 1.2 = 24.975, a tie: half-even keeps 24.98, so the tax is 4.99. Rounding each
    # unit instead (9.99 / 1.2 = 8.325 -> 8.32) would make it 3 x 1.67 = 5.01.
    breakdown = priced(line("9.99", quantity=3), tax_table=taxes(("standard", "20"), included=True))
    assert breakdown.prices_include_tax
    assert breakdown.lines[0].total == eur("29.97")
    assert breakdown.lines[0].tax == eur("4.99")
    assert breakdown.tax_total == eur("4.99")
    assert breakdown.total == eur("29.97")


def test_tax_excluded_is_added_to_the_total() -> None:
    breakdown = priced(
        line("9.99", quantity=3), tax_table=taxes(("standard", "20"), included=False)
    )
    assert breakdown.lines[0].tax == eur("5.99")  # 5.994
    assert breakdown.total == eur("35.96")
    assert [(t.name, t.tax_category, t.rate, t.amount) for t in breakdown.taxes] == [
        ("VAT", "standard", Decimal("20"), eur("5.99"))
    ]


def test_no_tax_table_or_no_rate_for_the_category_taxes_at_zero() -> None:
    assert priced(line("10.00")).tax_total == eur("0")
    breakdown = priced(
        line("10.00", tax_category="books"), tax_table=taxes(("standard", "20"), included=False)
    )
    assert (breakdown.lines[0].tax_rate, breakdown.tax_total, breakdown.taxes) == (
        Decimal(0),
        eur("0"),
        (),
    )


def test_jpy_has_no_minor_unit_and_ties_go_to_the_even_yen() -> None:
    category = uuid.uuid4()
    rule = promotion(PERCENTAGE, PromotionTarget.CATEGORIES, percent="10", category_ids=(category,))
    breakdown = priced(
        line("1995", "JPY", category_ids=(category,)),  # 199.5 off -> 200
        line("1985", "JPY", category_ids=(category,)),  # 198.5 off -> 198
        line("1980", "JPY", quantity=2),
        currency="JPY",
        promotions=(rule,),
        tax_table=taxes(("standard", "10"), included=True, name="Consumption tax"),
    )
    assert [ln.discount_total.amount for ln in breakdown.lines] == [200, 198, 0]
    assert [ln.total.amount for ln in breakdown.lines] == [1795, 1787, 3960]
    # 1795 / 1.1 = 1631.8 -> 1632, 1787 / 1.1 = 1624.54 -> 1625, 3960 / 1.1 = 3600
    assert [ln.tax.amount for ln in breakdown.lines] == [163, 162, 360]
    assert breakdown.total == Money.of("7542", "JPY")


def test_kwd_keeps_three_decimals() -> None:
    breakdown = priced(
        line("1.250", "KWD", quantity=3),
        currency="KWD",
        tax_table=taxes(("standard", "5"), included=False),
    )
    assert breakdown.lines[0].tax == Money.of("0.188", "KWD")  # 0.1875, a tie, to the even 8
    assert breakdown.total == Money.of("3.938", "KWD")


def test_a_percentage_tie_rounds_half_even() -> None:
    product = uuid.uuid4()
    rule = promotion(PERCENTAGE, PRODUCTS, percent="10", product_ids=(product,))
    breakdown = priced(line("12.25", product_id=product), promotions=(rule,))
    assert breakdown.lines[0].discount_total == eur("1.22")  # 1.225; half-up would say 1.23
    assert breakdown.total == eur("11.03")


def test_buy_two_get_one_free_gives_one_unit_of_every_three() -> None:
    product = uuid.uuid4()
    three_for_two = promotion(
        PromotionKind.BUY_X_GET_Y, PRODUCTS, buy_quantity=2, get_quantity=1, product_ids=(product,)
    )
    breakdown = priced(
        line("10.00", quantity=7, product_id=product),  # two groups of three: 2 free
        line("10.00", quantity=2, product_id=product),  # no full group
        promotions=(three_for_two,),
    )
    assert [ln.total for ln in breakdown.lines] == [eur("50.00"), eur("20.00")]
    assert breakdown.promotions_applied == (three_for_two.promotion_id,)


def test_buy_one_get_one_half_price() -> None:
    product = uuid.uuid4()
    rule = promotion(
        PromotionKind.BUY_X_GET_Y,
        PRODUCTS,
        percent="50",
        buy_quantity=1,
        get_quantity=1,
        product_ids=(product,),
    )
    breakdown = priced(line("9.99", quantity=3, product_id=product), promotions=(rule,))
    assert breakdown.lines[0].discount_total == eur("5.00")  # one unit at half: 4.995 -> 5.00


def test_discounts_stack_on_what_is_left_and_an_exclusive_one_stops_the_rest_of_its_step() -> None:
    product = uuid.uuid4()
    first = promotion(PERCENTAGE, PRODUCTS, percent="10", priority=10, product_ids=(product,))
    second = promotion(PERCENTAGE, PRODUCTS, percent="20", priority=5, product_ids=(product,))
    stacked = priced(line("100.00", product_id=product), promotions=(second, first))
    assert [d.amount for d in stacked.lines[0].discounts] == [eur("10.00"), eur("18.00")]
    assert stacked.lines[0].total == eur("72.00")

    exclusive = dataclasses.replace(first, exclusive=True)
    order = promotion(FIXED, ORDER, amount=eur("5.00"))
    alone = priced(line("100.00", product_id=product), promotions=(second, exclusive, order))
    assert [d.promotion_id for d in alone.lines[0].discounts] == [
        exclusive.promotion_id,
        order.promotion_id,  # the order step is another step: not stopped
    ]
    assert alone.lines[0].total == eur("85.00")


def test_an_exclusive_promotion_that_takes_nothing_off_stops_nothing() -> None:
    product = uuid.uuid4()
    nothing = promotion(
        PromotionKind.BUY_X_GET_Y,
        PRODUCTS,
        buy_quantity=2,
        get_quantity=1,
        priority=9,
        exclusive=True,
        product_ids=(product,),
    )
    ten = promotion(PERCENTAGE, PRODUCTS, percent="10", product_ids=(product,))
    breakdown = priced(line("20.00", product_id=product), promotions=(nothing, ten))
    assert breakdown.lines[0].total == eur("18.00")
    assert breakdown.promotions_applied == (ten.promotion_id,)


def test_a_fixed_amount_is_off_each_unit_capped_at_the_unit_price() -> None:
    product = uuid.uuid4()
    three = promotion(FIXED, PRODUCTS, amount=eur("3.00"), product_ids=(product,))
    assert priced(line("10.00", quantity=2, product_id=product), promotions=(three,)).lines[
        0
    ].total == eur("14.00")
    fifteen = promotion(FIXED, PRODUCTS, amount=eur("15.00"), product_ids=(product,))
    capped = priced(line("10.00", quantity=2, product_id=product), promotions=(fifteen,))
    assert (capped.lines[0].discount_total, capped.lines[0].total) == (eur("20.00"), eur("0"))


def test_promotions_out_of_window_under_minimum_or_in_another_currency_do_not_apply() -> None:
    product = uuid.uuid4()
    on = (product,)
    rules = (
        promotion(
            PERCENTAGE, PRODUCTS, percent="10", starts_at=NOW + timedelta(seconds=1), product_ids=on
        ),
        promotion(PERCENTAGE, PRODUCTS, percent="10", ends_at=NOW, product_ids=on),
        promotion(PERCENTAGE, PRODUCTS, percent="10", min_subtotal=eur("20.01"), product_ids=on),
        promotion(
            PERCENTAGE, PRODUCTS, percent="10", min_subtotal=Money.of("1", "USD"), product_ids=on
        ),
        promotion(FIXED, PRODUCTS, amount=Money.of("1.00", "USD"), product_ids=on),
        promotion(FIXED, ORDER, amount=Money.of("1.00", "USD")),
    )
    breakdown = priced(line("10.00", quantity=2, product_id=product), promotions=rules)
    assert breakdown.discount_total == eur("0")
    assert breakdown.promotions_applied == ()
    in_force = promotion(
        PERCENTAGE, PRODUCTS, percent="10", starts_at=NOW, min_subtotal=eur("20.00"), product_ids=on
    )
    applied = priced(line("10.00", quantity=2, product_id=product), promotions=(in_force,))
    assert applied.discount_total == eur("2.00")


def test_an_order_discount_is_shared_out_by_largest_remainder_and_adds_up() -> None:
    rule = promotion(FIXED, ORDER, amount=eur("10.00"), name="Ten off")
    breakdown = priced(line("10.00"), line("20.00"), line("30.00"), promotions=(rule,))
    # 1.666.., 3.333.., 5.00: floors 1.66, 3.33, 5.00 leave one cent, to the largest remainder
    assert [ln.discount_total for ln in breakdown.lines] == [eur("1.67"), eur("3.33"), eur("5.00")]
    assert [(d.name, d.amount) for d in breakdown.order_discounts] == [("Ten off", eur("10.00"))]
    assert breakdown.discount_total == eur("10.00")
    assert breakdown.total == eur("50.00")


def test_an_order_percentage_is_off_what_line_promotions_left() -> None:
    product = uuid.uuid4()
    line_rule = promotion(PERCENTAGE, PRODUCTS, percent="10", product_ids=(product,))
    order_rule = promotion(PERCENTAGE, ORDER, percent="10")
    breakdown = priced(
        line("100.00", product_id=product), line("50.00"), promotions=(order_rule, line_rule)
    )
    assert [[d.amount for d in ln.discounts] for ln in breakdown.lines] == [
        [eur("10.00"), eur("9.00")],  # its own discount first, then its share of the order's
        [eur("5.00")],
    ]
    assert breakdown.order_discounts[0].amount == eur("14.00")
    assert breakdown.total == eur("126.00")


def test_allocation_ties_go_to_the_earlier_line() -> None:
    assert allocate(Decimal("0.02"), [Decimal("1.00")] * 3, "EUR") == [
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0.00"),
    ]


def test_shipping_is_the_band_of_the_weight_and_free_from_the_threshold() -> None:
    option = shipping(("0", "4.90"), ("2000", "7.90"), free_above="50.00")
    light = priced(line("45.00", weight_grams=1999), option=option)
    assert light.shipping is not None
    assert (light.shipping.price, light.shipping.total) == (eur("4.90"), eur("4.90"))
    assert light.total == eur("49.90")
    heavy = priced(line("20.00", weight_grams=1000, quantity=2), option=option)
    assert heavy.shipping is not None
    assert heavy.shipping.total == eur("7.90")
    free = priced(line("25.00", quantity=2, weight_grams=1000), option=option)
    assert free.shipping is not None
    assert (free.shipping.total, free.shipping.free_above_reached) == (eur("0"), True)


def test_the_threshold_is_measured_after_promotions() -> None:
    option = shipping(("0", "4.90"), free_above="50.00")
    five_off = promotion(FIXED, ORDER, amount=eur("5.00"))
    breakdown = priced(line("50.00"), option=option, promotions=(five_off,))
    assert breakdown.shipping is not None
    assert breakdown.shipping.total == eur("4.90")


def test_order_value_bands_measure_the_merchandise_after_promotions() -> None:
    option = shipping(("0", "6.00"), ("30", "3.00"), basis=ShippingBasis.ORDER_VALUE)
    assert priced(line("30.00"), option=option).total == eur("33.00")
    one_off = promotion(FIXED, ORDER, amount=eur("1.00"))
    assert priced(line("30.00"), option=option, promotions=(one_off,)).total == eur("35.00")


def test_a_free_shipping_promotion_zeroes_the_shipping_and_counts_its_coupon() -> None:
    option = shipping(("0", "4.90"), free_above="50.00")
    coupon = promotion(PromotionKind.FREE_SHIPPING, ORDER, coupon_code="SHIPFREE")
    breakdown = priced(line("20.00"), option=option, promotions=(coupon,))
    assert breakdown.shipping is not None
    assert [d.amount for d in breakdown.shipping.discounts] == [eur("4.90")]
    assert breakdown.shipping.total == eur("0")
    assert breakdown.coupons_applied == ("SHIPFREE",)
    # Above the threshold shipping is already free: the coupon did nothing and is not counted.
    above = priced(line("60.00"), option=option, promotions=(coupon,))
    assert (above.coupons_applied, above.promotions_applied) == ((), ())


def test_a_coupon_that_takes_nothing_off_is_not_counted() -> None:
    coupon = promotion(
        PERCENTAGE, PRODUCTS, percent="10", product_ids=(uuid.uuid4(),), coupon_code="TEN"
    )
    assert priced(line("20.00"), promotions=(coupon,)).coupons_applied == ()


def test_shipping_is_taxed_at_its_category() -> None:
    option = shipping(("0", "4.90"), tax_category="shipping")
    table = taxes(("standard", "20"), ("shipping", "20"), included=False)
    breakdown = priced(line("10.00"), option=option, tax_table=table)
    assert breakdown.shipping is not None
    assert breakdown.shipping.tax == eur("0.98")
    assert breakdown.tax_total == eur("2.98")
    assert breakdown.total == eur("17.88")
    assert [(t.tax_category, t.amount) for t in breakdown.taxes] == [
        ("standard", eur("2.00")),
        ("shipping", eur("0.98")),
    ]


def test_shipping_not_offered_in_another_currency_or_above_its_weight() -> None:
    with pytest.raises(ShippingNotOffered):
        priced(line("10.00"), option=shipping(("0", "4.90"), currency="USD"))
    with pytest.raises(ShippingNotOffered):
        priced(line("10.00", weight_grams=2001), option=shipping(("0", "4"), max_weight_grams=2000))
    with pytest.raises(ShippingNotOffered):
        priced(line("10.00", weight_grams=99), option=shipping(("100", "4.90")))


def test_gift_cards_pay_in_order_and_never_more_than_is_due() -> None:
    first, second, third = gift_card("20.00"), gift_card("30.00"), gift_card("5.00")
    breakdown = priced(
        line("9.99", quantity=3),
        tax_table=taxes(("standard", "20"), included=False),
        cards=(first, second, third),
    )
    assert breakdown.total == eur("35.96")
    assert [(c.gift_card_id, c.amount) for c in breakdown.gift_cards] == [
        (first.gift_card_id, eur("20.00")),
        (second.gift_card_id, eur("15.96")),
    ]
    assert (breakdown.gift_card_total, breakdown.amount_due) == (eur("35.96"), eur("0"))
    partial = priced(line("30.00"), cards=(gift_card("12.50"),))
    assert partial.amount_due == eur("17.50")


def test_a_gift_card_listed_twice_pays_its_balance_once() -> None:
    card, other = gift_card("20.00"), gift_card("30.00")
    breakdown = priced(line("50.00"), cards=(card, card, other))
    assert [(c.gift_card_id, c.amount) for c in breakdown.gift_cards] == [
        (card.gift_card_id, eur("20.00")),
        (other.gift_card_id, eur("30.00")),
    ]
    assert (breakdown.gift_card_total, breakdown.amount_due) == (eur("50.00"), eur("0"))


def test_one_cart_one_currency() -> None:
    with pytest.raises(CurrencyMismatch):
        priced(line("10.00"), line("10.00", "USD"))
    with pytest.raises(CurrencyMismatch):
        priced(line("10.00", "USD"))
    with pytest.raises(CurrencyMismatch):
        priced(line("10.00"), cards=(gift_card("5.00", "USD"),))


def test_an_empty_cart_costs_nothing() -> None:
    breakdown = priced()
    assert (breakdown.total, breakdown.amount_due, breakdown.lines) == (eur("0"), eur("0"), ())
