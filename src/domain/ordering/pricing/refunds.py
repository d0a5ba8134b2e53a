"""What a return pays back, from the order's frozen breakdown alone (ADR 0039): pure, standard
library only, so the same breakdown and units always give the same refund.

A line's paid amount is its total after line and order discounts, plus its tax when tax was
added on top (an included tax is inside the total already). The first n of a line's Q units
are worth floor(paid x n / Q) at the currency's minor unit, so a return of q units after r
came back refunds worth(r + q) - worth(r): however the units are split into returns, the
last ones get what is left and every unit of the line together refunds exactly `paid`.
Shipping is refunded by the policy: never, or in full with the return that brings back the
order's last units. What goes back to the payment is at most what the payment paid (the
breakdown's amount due) less what earlier returns sent back to it: gift cards are spent first
at checkout and credited back last, so the rest of a refund is owed to the gift cards."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.ordering.errors import NotRefundable
from domain.ordering.pricing.breakdown import Breakdown, BreakdownLine
from domain.shared.money import Money, quantum


class ShippingRefund(StrEnum):
    """When a return gives the shipping charge back."""

    NEVER = "never"
    LAST_UNITS = "last_units"  # with the return that brings back the order's last units


@dataclass(frozen=True, kw_only=True)
class LineRefund:
    """What some units of one line pay back: their share of the line's total and of its tax."""

    sku: str
    quantity: int
    merchandise: Money  # the units' share of the line's total after discounts
    tax: Money  # the units' share of the tax added on top (zero when included in prices)

    @property
    def amount(self) -> Money:
        return self.merchandise + self.tax


@dataclass(frozen=True, kw_only=True)
class Refund:
    """A return's refund: by line, the shipping, and how it splits between payment and cards."""

    lines: tuple[LineRefund, ...]
    shipping: Money
    total: Money  # the units' worth plus the shipping
    to_payment: Money  # what goes back to the payment provider
    to_gift_cards: Money  # the rest: owed to the gift cards that paid part of the order


def paid_for(line: BreakdownLine, *, prices_include_tax: bool) -> Money:
    """What the customer paid for a whole line."""
    return line.total if prices_include_tax else line.total + line.tax


def shipping_paid(breakdown: Breakdown) -> Money:
    """What the customer paid for shipping, with its tax when added on top."""
    charge = breakdown.shipping
    if charge is None:
        return Money.zero(breakdown.currency)
    return charge.total if breakdown.prices_include_tax else charge.total + charge.tax


def worth(amount: Money, units: int, of: int) -> Money:
    """The first `units` of `of` units that together cost `amount`, at the minor unit
    (rounded down, so that the last units get what is left)."""
    unit = quantum(amount.currency)
    minor = int(amount.amount / unit)
    return Money.of(Decimal(minor * units // of) * unit, amount.currency)


def refund_for(
    breakdown: Breakdown,
    units: Iterable[tuple[str, int]],
    *,
    returned_before: Mapping[str, int],
    refunded_to_payment_before: Money,
    shipping: ShippingRefund,
) -> Refund:
    """The refund of `units` (sku, quantity) of the order, after `returned_before` units per
    SKU came back in earlier returns, which sent `refunded_to_payment_before` to the payment.
    Raises NotRefundable for a SKU not in the order or more units than are left."""
    currency = breakdown.currency
    asked: dict[str, int] = {}
    for sku, quantity in units:
        if quantity < 1:
            raise NotRefundable(f"{quantity} units of {sku} cannot come back")
        asked[sku] = asked.get(sku, 0) + quantity
    by_sku = {line.sku: line for line in breakdown.lines}
    refunds = []
    for sku, quantity in asked.items():
        line = by_sku.get(sku)
        if line is None:
            raise NotRefundable(f"the order has no line {sku}")
        before = returned_before.get(sku, 0)
        if before + quantity > line.quantity:
            left = line.quantity - before
            raise NotRefundable(f"{quantity} units of {sku} asked back, {left} left to return")
        refunds.append(_line_refund(line, quantity, before, breakdown.prices_include_tax))
    shipping_back = Money.zero(currency)
    if shipping is ShippingRefund.LAST_UNITS and _all_back(breakdown, asked, returned_before):
        shipping_back = shipping_paid(breakdown)
    total = sum((r.amount for r in refunds), shipping_back)
    left_on_payment = breakdown.amount_due.amount - refunded_to_payment_before.amount
    to_payment = Money.of(max(Decimal(0), min(total.amount, left_on_payment)), currency)
    return Refund(
        lines=tuple(refunds),
        shipping=shipping_back,
        total=total,
        to_payment=to_payment,
        to_gift_cards=total - to_payment,
    )


def _line_refund(line: BreakdownLine, quantity: int, before: int, include: bool) -> LineRefund:
    """The units' share of the whole paid amount (so it never exceeds their cost by rounding
    twice), of which the tax's own share is the tax part."""
    after, of = before + quantity, line.quantity
    paid = paid_for(line, prices_include_tax=include)
    amount = worth(paid, after, of) - worth(paid, before, of)
    tax = Money.zero(line.total.currency)
    if not include:
        tax = min(worth(line.tax, after, of) - worth(line.tax, before, of), amount)
    return LineRefund(sku=line.sku, quantity=quantity, merchandise=amount - tax, tax=tax)


def _all_back(breakdown: Breakdown, asked: Mapping[str, int], before: Mapping[str, int]) -> bool:
    """Whether this return brings back the order's last units."""
    return all(
        before.get(line.sku, 0) + asked.get(line.sku, 0) >= line.quantity
        for line in breakdown.lines
    )
