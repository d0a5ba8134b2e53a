"""What the price pipeline answers: every number of the cart or order and how it was reached.
All amounts are in the cart's currency, each rounded half-even at its minor unit (ADR 0029).

total = subtotal - discount_total + shipping.total (+ tax_total when prices exclude tax)
amount_due = total - gift_card_total"""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from domain.shared.money import Money


@dataclass(frozen=True, kw_only=True)
class Discount:
    """What one promotion took off one line, the order, or the shipping."""

    promotion_id: UUID
    name: str
    coupon_code: str | None
    amount: Money


@dataclass(frozen=True, kw_only=True)
class BreakdownLine:
    """One line: its price, its discounts (its own and its share of the order's), its tax."""

    sku: str
    product_id: UUID
    variant_id: UUID
    name: str
    quantity: int
    unit_price: Money
    subtotal: Money  # unit_price x quantity
    discounts: tuple[Discount, ...]  # line promotions, then its share of each order promotion
    discount_total: Money
    total: Money  # subtotal - discount_total, as entered (tax-inclusive or not)
    tax_category: str
    tax_rate: Decimal  # percent
    tax: Money  # included in `total` or added to it, by `Breakdown.prices_include_tax`


@dataclass(frozen=True, kw_only=True)
class ShippingCharge:
    """The chosen method's price, what made it free or cheaper, and its tax."""

    method_id: UUID
    code: str
    name: str
    price: Money  # the band's price before promotions
    discounts: tuple[Discount, ...]
    total: Money  # price - discounts
    tax_rate: Decimal
    tax: Money
    # The merchandise reached the method's `free_above`: `price` is zero by the method's own rule.
    free_above_reached: bool = False


@dataclass(frozen=True, kw_only=True)
class GiftCardCharge:
    """What one gift card pays of the order."""

    gift_card_id: UUID
    last_four: str
    amount: Money


@dataclass(frozen=True, kw_only=True)
class TaxLine:
    """The tax of one rate, over the lines and shipping it applies to (for the receipt)."""

    name: str
    tax_category: str
    rate: Decimal
    amount: Money


@dataclass(frozen=True, kw_only=True)
class Breakdown:
    """The whole calculation. Frozen into the order when it is placed."""

    currency: str
    prices_include_tax: bool
    lines: tuple[BreakdownLine, ...]
    subtotal: Money  # sum of the lines' subtotals
    discount_total: Money  # every line and order discount (shipping discounts are in shipping)
    shipping: ShippingCharge | None
    taxes: tuple[TaxLine, ...]
    tax_total: Money
    total: Money
    gift_cards: tuple[GiftCardCharge, ...]
    gift_card_total: Money
    amount_due: Money  # what the payment provider is asked for
    promotions_applied: tuple[UUID, ...]  # each promotion that took something off, once
    coupons_applied: tuple[str, ...]  # codes whose promotion took something off
    # Each order promotion's whole amount, once; the lines' `discounts` hold its shares.
    order_discounts: tuple[Discount, ...] = ()
