"""What the price pipeline is given: the cart's lines at today's prices and the rules that other
contexts serve through ordering's ports (promotions, tax rates, a shipping option, gift cards).
An order keeps these inputs frozen, so its breakdown can be recomputed and must come out equal."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from domain.shared.money import Money


@dataclass(frozen=True, kw_only=True)
class PricedLine:
    """A cart line as the pipeline sees it: one variant, its unit price now, how many."""

    sku: str
    product_id: UUID
    variant_id: UUID
    name: str  # the product's name and the variant's options, e.g. "T-shirt (M, red)"
    unit_price: Money  # as entered by staff: tax-inclusive or not by the currency's mode
    quantity: int
    category_ids: tuple[UUID, ...]  # the product's category and each of its ancestors
    tax_category: str  # a tax category's code, e.g. "standard"
    weight_grams: int


class PromotionKind(StrEnum):
    """What a promotion gives."""

    PERCENTAGE = "percentage"  # `percent` off what it targets
    FIXED = "fixed"  # `amount` off each targeted unit (line, category) or off the order
    BUY_X_GET_Y = "buy_x_get_y"  # per line: of every buy+get units, `get` at `percent` off
    FREE_SHIPPING = "free_shipping"  # the shipping price becomes zero


class PromotionTarget(StrEnum):
    """What a promotion applies to."""

    PRODUCTS = "products"  # lines of the listed products
    CATEGORIES = "categories"  # lines whose product is in a listed category or below
    ORDER = "order"  # the order's merchandise subtotal (after line promotions)


@dataclass(frozen=True, kw_only=True)
class PromotionRule:
    """One promotion as the pipeline applies it. Higher `priority` goes first within its step;
    an `exclusive` one that applies stops the ones after it in the same step (ADR 0028)."""

    promotion_id: UUID
    name: str
    kind: PromotionKind
    target: PromotionTarget
    percent: Decimal | None = None  # 0 < percent <= 100 (PERCENTAGE, BUY_X_GET_Y)
    amount: Money | None = None  # FIXED; applies only to carts in its currency
    buy_quantity: int = 0  # BUY_X_GET_Y
    get_quantity: int = 0  # BUY_X_GET_Y
    product_ids: tuple[UUID, ...] = ()  # PRODUCTS
    category_ids: tuple[UUID, ...] = ()  # CATEGORIES
    min_subtotal: Money | None = None  # applies only from this merchandise subtotal on
    starts_at: datetime | None = None
    ends_at: datetime | None = None  # exclusive
    priority: int = 0
    exclusive: bool = False
    coupon_code: str | None = None  # None: automatic; else applied because this code was given


@dataclass(frozen=True, kw_only=True)
class TaxRate:
    """The rate of one tax category at the destination."""

    tax_category: str
    rate: Decimal  # percent, 0 <= rate <= 100, e.g. Decimal("20") or Decimal("7.25")
    name: str  # what the customer reads on the receipt: "VAT", "GST", "Sales tax"


@dataclass(frozen=True, kw_only=True)
class TaxTable:
    """The rates that apply at one destination, and how the cart's currency's prices were
    entered. A tax category with no rate here is taxed at zero."""

    country: str  # ISO 3166-1 alpha-2
    region: str | None  # ISO 3166-2 subdivision where it matters, e.g. "US-CA"
    prices_include_tax: bool
    rates: tuple[TaxRate, ...]


class ShippingKind(StrEnum):
    """How the parcel reaches the customer."""

    STANDARD = "standard"
    EXPRESS = "express"
    PICKUP = "pickup"


class ShippingBasis(StrEnum):
    """What a shipping method's price bands are measured on."""

    WEIGHT = "weight"  # grams, the sum of the lines' weights
    ORDER_VALUE = "order_value"  # the merchandise subtotal after promotions


@dataclass(frozen=True, kw_only=True)
class RateBand:
    """From `from_value` on (grams or an amount in the cart's currency), the price is `price`;
    the band with the greatest `from_value` not above the measure applies."""

    from_value: Decimal
    price: Money


@dataclass(frozen=True, kw_only=True)
class ShippingOption:
    """A shipping method offered to the destination in the cart's currency."""

    method_id: UUID
    code: str
    name: str
    kind: ShippingKind
    basis: ShippingBasis
    bands: tuple[RateBand, ...]  # at least one; the first from_value is 0
    free_above: Money | None  # free when the merchandise subtotal after promotions reaches it
    tax_category: str  # shipping is taxed at this category's rate
    max_weight_grams: int | None = None  # not offered for a heavier cart


@dataclass(frozen=True, kw_only=True)
class GiftCardBalance:
    """A gift card the customer gave, with what is left on it."""

    gift_card_id: UUID
    last_four: str  # the code's last four characters: all a receipt shows of it
    balance: Money


@dataclass(frozen=True, kw_only=True)
class PricingInput:
    """Everything the pipeline needs; nothing else is read while pricing."""

    currency: str
    lines: tuple[PricedLine, ...]
    promotions: tuple[PromotionRule, ...] = ()
    taxes: TaxTable | None = None  # None until a destination is known: no tax is computed
    shipping: ShippingOption | None = None  # None until a method is chosen
    gift_cards: tuple[GiftCardBalance, ...] = ()
    now: datetime
