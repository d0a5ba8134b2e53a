"""Tax per line at its category's rate, rounded half-even at the minor unit (ADR 0029).

Prices entered without tax: tax = round(total x rate / 100), added to the total.
Prices entered with tax: tax = total - round(total / (1 + rate / 100)), the part of the total
that is tax."""

from collections.abc import Iterable
from decimal import Decimal

from domain.ordering.pricing.breakdown import TaxLine
from domain.ordering.pricing.inputs import TaxRate, TaxTable
from domain.shared.money import Money, round_half_even

_HUNDRED = Decimal(100)


def rate_for(table: TaxTable | None, tax_category: str) -> TaxRate | None:
    """The category's rate at the destination; none (taxed at zero) when the table lacks it."""
    if table is None:
        return None
    return next((rate for rate in table.rates if rate.tax_category == tax_category), None)


def tax_on(total: Money, rate: TaxRate | None, *, prices_include_tax: bool) -> Money:
    """The tax of one line (or of the shipping), whose amount after discounts is `total`."""
    if rate is None or rate.rate == 0:
        return Money.zero(total.currency)
    if prices_include_tax:
        net = round_half_even(total.amount / (1 + rate.rate / _HUNDRED), total.currency)
        return Money.of(total.amount - net, total.currency)
    return Money.rounded(total.amount * rate.rate / _HUNDRED, total.currency)


def grouped(taxed: Iterable[tuple[TaxRate | None, Money]], currency: str) -> tuple[TaxLine, ...]:
    """One receipt line per (name, category, rate), in order of first appearance; what was
    taxed at no rate of the table has no line."""
    totals: dict[tuple[str, str, Decimal], Money] = {}
    for rate, tax in taxed:
        if rate is not None:
            key = (rate.name, rate.tax_category, rate.rate)
            totals[key] = totals.get(key, Money.zero(currency)) + tax
    return tuple(
        TaxLine(name=name, tax_category=category, rate=rate, amount=amount)
        for (name, category, rate), amount in totals.items()
    )
