"""Values of promotions: what a promotion gives, what it applies to, and why a code is refused.
The kinds and targets are spelled as the price pipeline spells them (ordering's
`PromotionRule`); the adapter that serves ordering maps them one to one."""

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from domain.promotions.errors import InvalidCoupon, InvalidPromotion
from domain.shared.money import Money

MAX_NAME = 200
MAX_TARGETS = 500
MAX_PRIORITY = 1000
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,39}$")


class PromotionKind(StrEnum):
    """What a promotion gives."""

    PERCENTAGE = "percentage"
    FIXED = "fixed"
    BUY_X_GET_Y = "buy_x_get_y"
    FREE_SHIPPING = "free_shipping"


class PromotionTarget(StrEnum):
    """What a promotion applies to."""

    PRODUCTS = "products"
    CATEGORIES = "categories"
    ORDER = "order"


class PromotionStatus(StrEnum):
    """Active until staff end it; an ended promotion is kept for the orders that used it."""

    ACTIVE = "active"
    ENDED = "ended"


class CouponRefusal(StrEnum):
    """Why a code cannot be used on a cart now."""

    UNKNOWN = "unknown"  # no such code, or a disabled one
    EXPIRED = "expired"  # its promotion is outside its window, or ended
    USED_UP = "used_up"  # at its limit, or at this customer's limit


@dataclass(frozen=True, kw_only=True)
class Terms:
    """What a promotion gives and when, checked as a whole on creation: the rule fields of
    the pipeline's `PromotionRule`, without the identity and the code."""

    kind: PromotionKind
    target: PromotionTarget
    percent: Decimal | None = None
    amount: Money | None = None
    buy_quantity: int = 0
    get_quantity: int = 0
    product_ids: tuple[UUID, ...] = ()
    category_ids: tuple[UUID, ...] = ()
    min_subtotal: Money | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None  # exclusive
    priority: int = 0
    exclusive: bool = False

    def __post_init__(self) -> None:
        _check_kind(self)
        _check_target(self)
        _check_window(self)
        if self.amount and self.min_subtotal and self.amount.currency != self.min_subtotal.currency:
            raise InvalidPromotion("the amount and the minimum subtotal are in one currency")
        if not -MAX_PRIORITY <= self.priority <= MAX_PRIORITY:
            raise InvalidPromotion(f"a priority is between -{MAX_PRIORITY} and {MAX_PRIORITY}")

    @property
    def currency(self) -> str | None:
        """The one currency its amounts are in; None: it applies to carts in any currency."""
        money = self.amount or self.min_subtotal
        return None if money is None else money.currency

    def live_at(self, now: datetime) -> bool:
        """Within its window (a bound that is not set does not limit it)."""
        return (self.starts_at is None or self.starts_at <= now) and (
            self.ends_at is None or now < self.ends_at
        )


def normal_code(raw: str) -> str:
    """A code as stored and compared: upper case, so customers may type it in any case."""
    return raw.strip().upper()


def coupon_code(raw: str) -> str:
    """A new code, normalised and of the shape codes have."""
    code = normal_code(raw)
    if not _CODE.match(code):
        raise InvalidCoupon("a code has 3 to 40 letters, digits, '-' or '_'")
    return code


def _check_kind(t: Terms) -> None:
    wants_percent = t.kind in (PromotionKind.PERCENTAGE, PromotionKind.BUY_X_GET_Y)
    if wants_percent != (t.percent is not None):
        raise InvalidPromotion(
            f"a {t.kind} promotion {'needs' if wants_percent else 'has no'} percent"
        )
    if t.percent is not None and not (t.percent.is_finite() and 0 < t.percent <= 100):
        raise InvalidPromotion("a percent is above 0 and at most 100")
    if t.percent is not None and t.percent != t.percent.quantize(Decimal("0.01")):
        raise InvalidPromotion("a percent has at most two decimals")
    if (t.kind is PromotionKind.FIXED) != (t.amount is not None):
        raise InvalidPromotion("a fixed promotion, and only one, has an amount")
    if t.amount is not None and t.amount.amount <= 0:
        raise InvalidPromotion("a fixed amount is above zero")
    is_bxgy = t.kind is PromotionKind.BUY_X_GET_Y
    if is_bxgy and (t.buy_quantity < 1 or t.get_quantity < 1):
        raise InvalidPromotion("buy X get Y buys at least one and gets at least one")
    if not is_bxgy and (t.buy_quantity or t.get_quantity):
        raise InvalidPromotion("only a buy X get Y promotion has buy and get quantities")
    if is_bxgy and t.target is PromotionTarget.ORDER:
        raise InvalidPromotion("buy X get Y applies to products or categories, per line")
    if t.kind is PromotionKind.FREE_SHIPPING and t.target is not PromotionTarget.ORDER:
        raise InvalidPromotion("free shipping applies to the order")


def _check_target(t: Terms) -> None:
    wanted = {
        PromotionTarget.PRODUCTS: ("product_ids", t.product_ids),
        PromotionTarget.CATEGORIES: ("category_ids", t.category_ids),
    }
    for target, (name, ids) in wanted.items():
        if (t.target is target) != bool(ids):
            verb = "needs at least one" if t.target is target else "has no"
            raise InvalidPromotion(f"a promotion on {t.target} {verb} of {name}")
        if len(ids) > MAX_TARGETS or len(set(ids)) != len(ids):
            raise InvalidPromotion(f"{name} lists at most {MAX_TARGETS} ids, each once")


def _check_window(t: Terms) -> None:
    for bound in (t.starts_at, t.ends_at):
        if bound is not None and bound.utcoffset() is None:
            raise InvalidPromotion("a window's bounds carry their time zone")
    if t.starts_at is not None and t.ends_at is not None and t.ends_at <= t.starts_at:
        raise InvalidPromotion("a window ends after it starts")
