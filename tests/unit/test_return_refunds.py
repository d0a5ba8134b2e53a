"""The refund of returned units, from the order's frozen breakdown (ADR 0039): hand-computed
examples, and what holds for every cart and every way of splitting its units into returns."""

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.ordering.errors import NotRefundable
from domain.ordering.pricing.breakdown import Breakdown
from domain.ordering.pricing.inputs import PricingInput, PromotionKind, PromotionTarget
from domain.ordering.pricing.pipeline import price
from domain.ordering.pricing.refunds import (
    Refund,
    ShippingRefund,
    paid_for,
    refund_for,
    shipping_paid,
)
from domain.shared.money import Money, quantum
from tests.support.pricing import NOW, gift_card, line, promotion, shipping, taxes
from tests.support.pricing_carts import carts


def returns_of(
    breakdown: Breakdown,
    returns: list[list[tuple[str, int]]],
    policy: ShippingRefund = ShippingRefund.LAST_UNITS,
) -> list[Refund]:
    """Each return's refund in turn, as the Return aggregate asks for them."""
    before: dict[str, int] = {}
    to_payment = Money.zero(breakdown.currency)
    refunds = []
    for units in returns:
        refund = refund_for(
            breakdown,
            units,
            returned_before=before,
            refunded_to_payment_before=to_payment,
            shipping=policy,
        )
        refunds.append(refund)
        to_payment += refund.to_payment
        for sku, quantity in units:
            before[sku] = before.get(sku, 0) + quantity
    return refunds


# -- hand-computed ------------------------------------------------------------------------------


def test_yen_units_share_a_fixed_order_discount_and_the_last_one_gets_what_is_left() -> None:
    shirt = line("1000", "JPY", quantity=3)
    discount = promotion(PromotionKind.FIXED, PromotionTarget.ORDER, amount=Money.of(100, "JPY"))
    breakdown = price(PricingInput(currency="JPY", lines=(shirt,), promotions=(discount,), now=NOW))
    assert breakdown.lines[0].total == Money.of(2900, "JPY")

    refunds = returns_of(breakdown, [[(shirt.sku, 1)], [(shirt.sku, 1)], [(shirt.sku, 1)]])

    assert [r.total for r in refunds] == [Money.of(n, "JPY") for n in (966, 967, 967)]


def test_euro_order_discount_of_ten_percent_with_vat_included() -> None:
    a, b = line("19.99", quantity=3), line("5.00")
    ten = promotion(PromotionKind.PERCENTAGE, PromotionTarget.ORDER, percent="10")
    given_ = PricingInput(
        currency="EUR",
        lines=(a, b),
        promotions=(ten,),
        taxes=taxes(("standard", "20"), included=True),
        now=NOW,
    )
    breakdown = price(given_)
    # 10 % of 64.97 is 6.50, shared 6.00 / 0.50 by the lines' weights (ADR 0029).
    assert [x.total.amount for x in breakdown.lines] == [Decimal("53.97"), Decimal("4.50")]

    first, second = returns_of(breakdown, [[(a.sku, 1)], [(a.sku, 2), (b.sku, 1)]])

    assert first.total == Money.of("17.99", "EUR")  # the VAT is inside: nothing added
    assert first.lines[0].tax == Money.zero("EUR")
    assert second.total == Money.of("40.48", "EUR")  # 35.98 + 4.50
    assert first.total + second.total == breakdown.total


def test_us_sales_tax_on_top_and_shipping_with_the_last_units() -> None:
    item = line("10.00", "USD", quantity=3)
    given_ = PricingInput(
        currency="USD",
        lines=(item,),
        taxes=taxes(("standard", "7.25"), included=False, name="Sales tax"),
        shipping=shipping(("0", "5.00"), currency="USD"),
        now=NOW,
    )
    breakdown = price(given_)
    assert breakdown.lines[0].tax == Money.of("2.18", "USD")  # 2.175, half-even
    assert shipping_paid(breakdown) == Money.of("5.36", "USD")

    first, last = returns_of(breakdown, [[(item.sku, 1)], [(item.sku, 2)]])

    assert (first.lines[0].merchandise, first.lines[0].tax) == (
        Money.of("10.00", "USD"),
        Money.of("0.72", "USD"),
    )
    assert first.shipping == Money.zero("USD")
    assert last.total == Money.of("26.82", "USD")  # 20.00 + 1.46 tax + 5.36 shipping
    assert first.total + last.total == breakdown.total


def test_shipping_is_never_refunded_under_that_policy() -> None:
    item = line("10.00", quantity=2)
    given_ = PricingInput(currency="EUR", lines=(item,), shipping=shipping(("0", "4.90")), now=NOW)
    breakdown = price(given_)
    (refund,) = returns_of(breakdown, [[(item.sku, 2)]], ShippingRefund.NEVER)
    assert refund.shipping == Money.zero("EUR")
    assert refund.total == Money.of("20.00", "EUR")


def test_what_gift_cards_paid_is_credited_back_last() -> None:
    item = line("10.00", quantity=2)
    given_ = PricingInput(currency="EUR", lines=(item,), gift_cards=(gift_card("15.00"),), now=NOW)
    breakdown = price(given_)
    assert breakdown.amount_due == Money.of("5.00", "EUR")
    first, second = returns_of(breakdown, [[(item.sku, 1)], [(item.sku, 1)]])
    assert (first.to_payment, first.to_gift_cards) == (
        Money.of("5.00", "EUR"),
        Money.of("5.00", "EUR"),
    )
    assert (second.to_payment, second.to_gift_cards) == (
        Money.zero("EUR"),
        Money.of("10.00", "EUR"),
    )


def test_units_the_order_does_not_have_are_refused() -> None:
    item = line("10.00", quantity=2)
    breakdown = price(PricingInput(currency="EUR", lines=(item,), now=NOW))
    with pytest.raises(NotRefundable):
        returns_of(breakdown, [[(item.sku, 2)], [(item.sku, 1)]])
    with pytest.raises(NotRefundable):
        returns_of(breakdown, [[("NOT-THERE", 1)]])


# -- for every cart ---------------------------------------------------------------------------


@st.composite
def orders_and_returns(
    draw: st.DrawFn,
) -> tuple[Breakdown, list[list[tuple[str, int]]]]:
    """A priced cart (one line per SKU, as carts are) and its units split into 1-4 returns,
    each line's units wholly or partly."""
    cart = draw(carts())
    lines = tuple(
        dataclasses.replace(entered, sku=f"SKU-{n}") for n, entered in enumerate(cart.lines)
    )
    breakdown = price(dataclasses.replace(cart, lines=lines))
    count = draw(st.integers(1, 4))
    returns: list[list[tuple[str, int]]] = [[] for _ in range(count)]
    for entered in breakdown.lines:
        back = draw(st.sampled_from([entered.quantity, entered.quantity, 0, 1]))
        back = min(back, entered.quantity)
        cuts = sorted(draw(st.lists(st.integers(0, back), min_size=count - 1, max_size=count - 1)))
        for n, (low, high) in enumerate(zip([0, *cuts], [*cuts, back], strict=True)):
            if high > low:
                returns[n].append((entered.sku, high - low))
    return breakdown, [units for units in returns if units]


@settings(max_examples=150, deadline=None, database=None)
@given(orders_and_returns(), st.sampled_from(ShippingRefund))
def test_returns_refund_exactly_what_was_paid_for_what_came_back(
    drawn: tuple[Breakdown, list[list[tuple[str, int]]]], policy: ShippingRefund
) -> None:
    breakdown, returns = drawn
    include = breakdown.prices_include_tax
    unit = quantum(breakdown.currency)
    refunds = returns_of(breakdown, returns, policy)

    by_line: dict[str, tuple[int, Decimal]] = {}
    for refund in refunds:
        for part in refund.lines:
            line_ = next(x for x in breakdown.lines if x.sku == part.sku)
            paid = paid_for(line_, prices_include_tax=include).amount
            # Never negative, never more than the units cost (their share rounded up).
            assert part.amount.amount >= 0
            ceiling = -(-int(paid / unit) * part.quantity // line_.quantity) * unit
            assert part.amount.amount <= ceiling
            units, amount = by_line.get(part.sku, (0, Decimal(0)))
            by_line[part.sku] = (units + part.quantity, amount + part.amount.amount)
        for money in (refund.total, refund.shipping, refund.to_payment, refund.to_gift_cards):
            assert money.amount >= 0
            assert money.amount % unit == 0
        assert refund.to_payment + refund.to_gift_cards == refund.total

    all_back = True
    for line_ in breakdown.lines:
        units, amount = by_line.get(line_.sku, (0, Decimal(0)))
        paid = paid_for(line_, prices_include_tax=include).amount
        assert amount <= paid
        if units == line_.quantity:
            assert amount == paid  # every unit back: exactly what the line cost
        all_back &= units == line_.quantity

    total = sum((r.total.amount for r in refunds), Decimal(0))
    shipping_back = sum((r.shipping.amount for r in refunds), Decimal(0))
    assert total == sum((amount for _, amount in by_line.values()), Decimal(0)) + shipping_back
    to_payment = sum((r.to_payment.amount for r in refunds), Decimal(0))
    assert to_payment <= breakdown.amount_due.amount
    if all_back and policy is ShippingRefund.LAST_UNITS:
        assert total == breakdown.total.amount
        assert to_payment == breakdown.amount_due.amount
    expected_shipping = shipping_paid(breakdown).amount if all_back else Decimal(0)
    assert shipping_back == (expected_shipping if policy is ShippingRefund.LAST_UNITS else 0)
