"""Line and order promotions, stacked by one rule (ADR 0028).

Within a step, promotions go in order of `priority` descending, then `promotion_id`. Each
discount is computed on what is left of the line (or of the order) after the ones before it,
and never takes more than is left, so nothing goes below zero. An `exclusive` promotion that
takes something off a line (or the order) stops the later ones of the same step there. A
promotion is in force when `now` is in [starts_at, ends_at) and the merchandise subtotal before
any promotion reaches its `min_subtotal` (in the cart's currency; another currency: not in
force); a FIXED amount in another currency than the cart's never applies."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TypeGuard

from domain.ordering.pricing.breakdown import Discount
from domain.ordering.pricing.inputs import (
    PricedLine,
    PromotionKind,
    PromotionRule,
    PromotionTarget,
)
from domain.ordering.pricing.rounding import allocate
from domain.shared.money import Money, round_half_even

_HUNDRED = Decimal(100)


@dataclass
class LineInProgress:
    """A line while it is being priced: what is left of it and what was taken off, in order."""

    line: PricedLine
    left: Decimal
    discounts: list[Discount] = field(default_factory=list)


def in_force(rule: PromotionRule, *, now: datetime, merchandise: Money) -> bool:
    """The window holds `now` and the merchandise subtotal before promotions reaches the minimum."""
    if rule.starts_at is not None and now < rule.starts_at:
        return False
    if rule.ends_at is not None and now >= rule.ends_at:
        return False
    minimum = rule.min_subtotal
    if minimum is None:
        return True
    return minimum.currency == merchandise.currency and merchandise.amount >= minimum.amount


def ranked(rules: Iterable[PromotionRule]) -> list[PromotionRule]:
    """The order in which promotions of one step are applied."""
    return sorted(rules, key=lambda rule: (-rule.priority, rule.promotion_id))


def apply_line_promotions(
    lines: list[LineInProgress], rules: Iterable[PromotionRule], currency: str
) -> None:
    """Each line's own discounts, from the PRODUCTS and CATEGORIES promotions in force."""
    step = ranked(rule for rule in rules if rule.target is not PromotionTarget.ORDER)
    for line in lines:
        for rule in step:
            if not _targets(rule, line.line):
                continue
            taken = min(_line_discount(rule, line, currency), line.left)
            if taken <= 0:
                continue
            line.left -= taken
            line.discounts.append(_discount(rule, taken, currency))
            if rule.exclusive:
                break


def apply_order_promotions(
    lines: list[LineInProgress], rules: Iterable[PromotionRule], currency: str
) -> list[Discount]:
    """The ORDER promotions in force, off the merchandise left after line promotions; each one
    shared out to the lines in proportion to what is left of them (largest remainder)."""
    taken_off: list[Discount] = []
    for rule in ranked(rule for rule in rules if rule.target is PromotionTarget.ORDER):
        remaining = sum((line.left for line in lines), Decimal(0))
        taken = min(_order_discount(rule, remaining, currency), remaining)
        if taken <= 0:
            continue
        shares = allocate(taken, [line.left for line in lines], currency)
        for line, share in zip(lines, shares, strict=True):
            if share > 0:
                line.left -= share
                line.discounts.append(_discount(rule, share, currency))
        taken_off.append(_discount(rule, taken, currency))
        if rule.exclusive:
            break
    return taken_off


def _targets(rule: PromotionRule, line: PricedLine) -> bool:
    if rule.target is PromotionTarget.PRODUCTS:
        return line.product_id in rule.product_ids
    if rule.target is PromotionTarget.CATEGORIES:
        return not set(line.category_ids).isdisjoint(rule.category_ids)
    return False


def _line_discount(rule: PromotionRule, line: LineInProgress, currency: str) -> Decimal:
    quantity = line.line.quantity
    if rule.kind is PromotionKind.PERCENTAGE and _valid_percent(rule.percent):
        return round_half_even(line.left * rule.percent / _HUNDRED, currency)
    if rule.kind is PromotionKind.FIXED and _in_currency(rule.amount, currency):
        return min(rule.amount.amount, line.line.unit_price.amount) * quantity
    if rule.kind is PromotionKind.BUY_X_GET_Y and rule.buy_quantity > 0 and rule.get_quantity > 0:
        # No percent on a buy-X-get-Y means the Y units are free.
        percent = _HUNDRED if rule.percent is None else rule.percent
        groups = quantity // (rule.buy_quantity + rule.get_quantity)
        if groups == 0 or not _valid_percent(percent):
            return Decimal(0)
        # The `get` units' share of what is left of the line, at `percent` off.
        given_away = line.left * groups * rule.get_quantity / quantity
        return round_half_even(given_away * percent / _HUNDRED, currency)
    return Decimal(0)


def _order_discount(rule: PromotionRule, remaining: Decimal, currency: str) -> Decimal:
    if rule.kind is PromotionKind.PERCENTAGE and _valid_percent(rule.percent):
        return round_half_even(remaining * rule.percent / _HUNDRED, currency)
    if rule.kind is PromotionKind.FIXED and _in_currency(rule.amount, currency):
        return rule.amount.amount
    return Decimal(0)


def _valid_percent(percent: Decimal | None) -> TypeGuard[Decimal]:
    return percent is not None and 0 < percent <= _HUNDRED


def _in_currency(amount: Money | None, currency: str) -> TypeGuard[Money]:
    return amount is not None and amount.currency == currency


def _discount(rule: PromotionRule, amount: Decimal, currency: str) -> Discount:
    return Discount(
        promotion_id=rule.promotion_id,
        name=rule.name,
        coupon_code=rule.coupon_code,
        amount=Money.of(amount, currency),
    )
