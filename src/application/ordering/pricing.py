"""The one way a cart is priced, for the cart's view and for checkout alike: gather the price
pipeline's inputs through ordering's ports (one statement each), then call the pipeline. What
checkout freezes into the order is exactly what the customer was shown (ADR 0036)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.ordering.ports import PricingSources
from application.ordering.views import CartView
from domain.ordering.cart import Cart, priced_line
from domain.ordering.errors import ShippingMethodRequired, ShippingNotOffered
from domain.ordering.pricing.breakdown import Breakdown
from domain.ordering.pricing.inputs import PricedLine, PricingInput, ShippingOption
from domain.ordering.pricing.pipeline import price
from domain.ordering.values import CatalogItem


@dataclass(frozen=True, kw_only=True)
class Choices:
    """What the customer chose that changes the price: where it goes, how, and the codes."""

    country: str | None = None  # None: no destination yet, so no tax and no shipping
    region: str | None = None
    shipping_method: str | None = None  # a method's code
    coupon_codes: tuple[str, ...] = ()
    gift_card_codes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Priced:
    """The pipeline's inputs and its answer, and the shipping methods offered to the
    destination (for the customer to choose from)."""

    given: PricingInput
    breakdown: Breakdown
    offered: tuple[ShippingOption, ...]


@dataclass(frozen=True, kw_only=True)
class Buyer:
    """Who is buying, as promotions count per-customer limits."""

    customer_id: UUID
    email: str | None


async def price_lines(
    sources: PricingSources,
    lines: list[PricedLine],
    *,
    currency: str,
    choices: Choices,
    buyer: Buyer,
    now: datetime,
    checkout: bool,
) -> Priced:
    """At checkout a shop with shipping methods needs one offered to the destination; the
    cart's view prices without shipping until one is chosen."""
    promotions = await sources.promotions.applicable(
        currency=currency,
        coupon_codes=choices.coupon_codes,
        customer_id=buyer.customer_id,
        email=buyer.email,
        now=now,
    )
    taxes, offered, shipping = None, [], None
    if choices.country is not None:
        taxes = await sources.taxes.table(
            country=choices.country, region=choices.region, currency=currency
        )
        offered = await sources.shipping.offered(country=choices.country, currency=currency)
        shipping = await _shipping(sources, offered, choices, checkout=checkout)
    gift_cards = (
        await sources.gift_cards.balances(choices.gift_card_codes, currency=currency, now=now)
        if choices.gift_card_codes
        else []
    )
    given = PricingInput(
        currency=currency,
        lines=tuple(lines),
        promotions=tuple(promotions),
        taxes=taxes,
        shipping=shipping,
        gift_cards=tuple(gift_cards),
        now=now,
    )
    return Priced(given=given, breakdown=price(given), offered=tuple(offered))


async def price_cart(
    sources: PricingSources,
    cart: Cart,
    *,
    default_currency: str,
    choices: Choices,
    buyer: Buyer,
    now: datetime,
) -> tuple[Priced, Mapping[str, CatalogItem]]:
    """Checkout's pricing: every line at the catalog's price now, as the customer confirmed it
    (CartNeedsReview otherwise), a shipping method when the shop has any."""
    items = await sources.catalog.items(cart.skus)
    priced = await price_lines(
        sources,
        cart.priced_lines(items),
        currency=cart.currency or default_currency,
        choices=choices,
        buyer=buyer,
        now=now,
        checkout=True,
    )
    return priced, items


async def _shipping(
    sources: PricingSources,
    offered: list[ShippingOption],
    choices: Choices,
    *,
    checkout: bool,
) -> ShippingOption | None:
    if choices.shipping_method is not None:
        for option in offered:
            if option.code == choices.shipping_method:
                return option
        raise ShippingNotOffered(
            f"{choices.shipping_method!r} is not a shipping method offered to {choices.country}"
        )
    if checkout and (offered or await sources.shipping.any_active()):
        codes = ", ".join(option.code for option in offered) or "none"
        raise ShippingMethodRequired(
            f"choose a shipping method offered to {choices.country} (offered: {codes})"
        )
    return None


async def cart_view(
    sources: PricingSources,
    cart: Cart,
    items: Mapping[str, CatalogItem],
    *,
    default_currency: str,
    choices: Choices,
    buyer: Buyer,
    now: datetime,
) -> CartView:
    """The cart as the customer sees it: its lines, flagged where they need review, and the
    breakdown of those that can be bought, priced as checkout would price them."""
    currency = cart.currency or default_currency
    view = CartView.priced(cart, items, currency=currency)
    lines = []
    for line in cart.lines:
        item = items.get(line.sku)
        unit_price = item.price_in(currency) if item is not None and item.active else None
        if item is not None and unit_price is not None:
            lines.append(priced_line(item, unit_price, line.quantity))
    if not lines:
        return view
    priced = await price_lines(
        sources, lines, currency=currency, choices=choices, buyer=buyer, now=now, checkout=False
    )
    return view.with_breakdown(priced.breakdown, priced.offered)
