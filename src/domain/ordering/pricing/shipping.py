"""The chosen shipping method's price for this cart (ADR 0028): the band its measure falls in,
nothing above the free-shipping threshold, and what a FREE_SHIPPING promotion takes off."""

from collections.abc import Iterable
from decimal import Decimal

from domain.ordering.errors import ShippingNotOffered
from domain.ordering.pricing.breakdown import Discount, ShippingCharge
from domain.ordering.pricing.inputs import (
    PricedLine,
    PromotionKind,
    PromotionRule,
    PromotionTarget,
    RateBand,
    ShippingBasis,
    ShippingOption,
)
from domain.ordering.pricing.promotions import ranked
from domain.shared.money import Money


def charge(
    option: ShippingOption,
    *,
    lines: Iterable[PricedLine],
    merchandise: Money,
    promotions: Iterable[PromotionRule],
) -> ShippingCharge:
    """`merchandise` is the subtotal after promotions; `promotions` are those in force. The
    charge's tax is left at zero for the tax step to fill in."""
    currency = merchandise.currency
    _offered_in(option, currency)
    weight = sum(line.weight_grams * line.quantity for line in lines)
    if option.max_weight_grams is not None and weight > option.max_weight_grams:
        raise ShippingNotOffered(f"{option.code} carries at most {option.max_weight_grams} g")
    measure = Decimal(weight) if option.basis is ShippingBasis.WEIGHT else merchandise.amount
    free = option.free_above is not None and merchandise >= option.free_above
    price = Money.zero(currency) if free else _band_for(option, measure).price
    discounts = _free_shipping(price, promotions)
    return ShippingCharge(
        method_id=option.method_id,
        code=option.code,
        name=option.name,
        price=price,
        discounts=discounts,
        total=Money.zero(currency) if discounts else price,
        tax_rate=Decimal(0),
        tax=Money.zero(currency),
        free_above_reached=free,
    )


def _offered_in(option: ShippingOption, currency: str) -> None:
    prices = [band.price for band in option.bands]
    if option.free_above is not None:
        prices.append(option.free_above)
    if any(price.currency != currency for price in prices):
        raise ShippingNotOffered(f"{option.code} is not priced in {currency}")


def _band_for(option: ShippingOption, measure: Decimal) -> RateBand:
    """The band with the greatest `from_value` not above the measure."""
    reached = [band for band in option.bands if band.from_value <= measure]
    if not reached:
        raise ShippingNotOffered(f"{option.code} has no band for {measure}")
    return max(reached, key=lambda band: band.from_value)


def _free_shipping(price: Money, promotions: Iterable[PromotionRule]) -> tuple[Discount, ...]:
    """The first FREE_SHIPPING order promotion in force takes the whole price; a price that is
    already zero leaves nothing to take, so no promotion is counted as applied."""
    if price.amount == 0:
        return ()
    for rule in ranked(promotions):
        if rule.kind is PromotionKind.FREE_SHIPPING and rule.target is PromotionTarget.ORDER:
            discount = Discount(
                promotion_id=rule.promotion_id,
                name=rule.name,
                coupon_code=rule.coupon_code,
                amount=price,
            )
            return (discount,)
    return ()
