"""The price pipeline's one entry point (ADR 0028): pure, deterministic, standard library only,
so the same frozen inputs always give the same breakdown."""

import dataclasses
from collections.abc import Iterable
from decimal import Decimal

from domain.ordering.errors import CurrencyMismatch
from domain.ordering.pricing import gift_cards, shipping, taxes
from domain.ordering.pricing.breakdown import (
    Breakdown,
    BreakdownLine,
    Discount,
    ShippingCharge,
    TaxLine,
)
from domain.ordering.pricing.inputs import PricingInput
from domain.ordering.pricing.promotions import (
    LineInProgress,
    apply_line_promotions,
    apply_order_promotions,
    in_force,
)
from domain.shared.money import Money


def price(given: PricingInput) -> Breakdown:
    """unit prices -> line promotions -> order promotions -> shipping -> taxes -> gift cards.

    Stacking, within each promotion step: priority descending, then promotion_id; each discount
    is computed on what is left after the ones before it and never takes more, so no line goes
    below zero; an exclusive promotion that takes something off stops the later ones of its
    step (for that line, or for the order). Raises CurrencyMismatch for a line or gift card in
    another currency, ShippingNotOffered when the chosen method cannot carry the cart."""
    currency = given.currency
    _one_currency(given)
    lines = [LineInProgress(line, line.unit_price.amount * line.quantity) for line in given.lines]
    subtotal = _sum((line.left for line in lines), currency)
    promotions = [
        rule for rule in given.promotions if in_force(rule, now=given.now, merchandise=subtotal)
    ]
    apply_line_promotions(lines, promotions, currency)
    order_discounts = apply_order_promotions(lines, promotions, currency)
    include = given.taxes is not None and given.taxes.prices_include_tax
    priced = tuple(_taxed_line(line, given, include=include) for line in lines)
    taxed = [(taxes.rate_for(given.taxes, line.tax_category), line.tax) for line in priced]
    charge = None
    if given.shipping is not None:
        merchandise = _sum((line.left for line in lines), currency)
        charge = shipping.charge(
            given.shipping, lines=given.lines, merchandise=merchandise, promotions=promotions
        )
        rate = taxes.rate_for(given.taxes, given.shipping.tax_category)
        tax = taxes.tax_on(charge.total, rate, prices_include_tax=include)
        charge = dataclasses.replace(charge, tax_rate=rate.rate if rate else Decimal(0), tax=tax)
        taxed.append((rate, tax))
    return _breakdown(
        given, priced, charge, order_discounts, taxes.grouped(taxed, currency), include=include
    )


def _breakdown(
    given: PricingInput,
    lines: tuple[BreakdownLine, ...],
    charge: ShippingCharge | None,
    order_discounts: list[Discount],
    tax_lines: tuple[TaxLine, ...],
    *,
    include: bool,
) -> Breakdown:
    """The totals, and what the gift cards pay of them."""
    currency = given.currency
    shipping_total = charge.total if charge else Money.zero(currency)
    shipping_tax = charge.tax if charge else Money.zero(currency)
    tax_total = _sum((line.tax.amount for line in lines), currency) + shipping_tax
    merchandise = _sum((line.total.amount for line in lines), currency)
    total = merchandise + shipping_total + (Money.zero(currency) if include else tax_total)
    paid = gift_cards.pay(given.gift_cards, total)
    gift_card_total = _sum((card.amount.amount for card in paid), currency)
    applied = _applied(lines, order_discounts, charge)
    return Breakdown(
        currency=currency,
        prices_include_tax=include,
        lines=lines,
        subtotal=_sum((line.subtotal.amount for line in lines), currency),
        discount_total=_sum((line.discount_total.amount for line in lines), currency),
        shipping=charge,
        taxes=tax_lines,
        tax_total=tax_total,
        total=total,
        gift_cards=paid,
        gift_card_total=gift_card_total,
        amount_due=total - gift_card_total,
        promotions_applied=tuple(dict.fromkeys(d.promotion_id for d in applied)),
        coupons_applied=tuple(dict.fromkeys(d.coupon_code for d in applied if d.coupon_code)),
        order_discounts=tuple(order_discounts),
    )


def _taxed_line(line: LineInProgress, given: PricingInput, *, include: bool) -> BreakdownLine:
    currency = given.currency
    entered = line.line
    rate = taxes.rate_for(given.taxes, entered.tax_category)
    total = Money.of(line.left, currency)
    return BreakdownLine(
        sku=entered.sku,
        product_id=entered.product_id,
        variant_id=entered.variant_id,
        name=entered.name,
        quantity=entered.quantity,
        unit_price=entered.unit_price,
        subtotal=Money.of(entered.unit_price.amount * entered.quantity, currency),
        discounts=tuple(line.discounts),
        discount_total=_sum((discount.amount.amount for discount in line.discounts), currency),
        total=total,
        tax_category=entered.tax_category,
        tax_rate=rate.rate if rate else Decimal(0),
        tax=taxes.tax_on(total, rate, prices_include_tax=include),
    )


def _one_currency(given: PricingInput) -> None:
    """One cart, one currency: the pipeline never converts."""
    for line in given.lines:
        if line.unit_price.currency != given.currency:
            raise CurrencyMismatch(
                f"{line.sku} is priced in {line.unit_price.currency}, the cart in {given.currency}"
            )


def _applied(
    lines: Iterable[BreakdownLine], order: Iterable[Discount], charge: ShippingCharge | None
) -> list[Discount]:
    """Every discount that took something off, line promotions first, in a stable order."""
    found = [discount for line in lines for discount in line.discounts]
    found.extend(order)
    if charge is not None:
        found.extend(charge.discounts)
    return found


def _sum(amounts: Iterable[Decimal], currency: str) -> Money:
    return Money.of(sum(amounts, Decimal(0)), currency)
