"""Promotions commands: staff create, change and end promotions and add or disable their codes;
the log's subscriber gives back the uses of an order that did not go through."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from application.promotions.views import CouponView, PromotionView
from application.shared.bus import Command


@dataclass(frozen=True, kw_only=True)
class PromotionSpec:
    """A promotion's name and terms as staff send them; `currency` is that of `amount` and
    `min_subtotal` (needed when either is given)."""

    name: str
    kind: str
    target: str
    percent: Decimal | None = None
    amount: Decimal | None = None
    currency: str | None = None
    buy_quantity: int = 0
    get_quantity: int = 0
    product_ids: tuple[UUID, ...] = ()
    category_ids: tuple[UUID, ...] = ()
    min_subtotal: Decimal | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    priority: int = 0
    exclusive: bool = False
    automatic: bool = False


@dataclass(frozen=True, kw_only=True)
class CreatePromotion(Command[PromotionView]):
    """A new promotion, active at once (within its window)."""

    spec: PromotionSpec
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class ChangePromotion(Command[PromotionView]):
    """Replace a promotion's name and terms; `expected_version` is the If-Match (required)."""

    promotion_id: UUID
    spec: PromotionSpec
    expected_version: int | None
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class EndPromotion(Command[PromotionView]):
    """End a promotion now: neither it nor its codes apply any more."""

    promotion_id: UUID
    expected_version: int | None
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class AddCoupon(Command[CouponView]):
    """A new code for a coupon-only promotion."""

    promotion_id: UUID
    code: str
    usage_limit: int | None
    per_customer_limit: int | None
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class DisableCoupon(Command[CouponView]):
    """Refuse a code from now on."""

    promotion_id: UUID
    coupon_id: UUID
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class ReleaseCouponUses(Command[int]):
    """Give back the uses an order took, once: it did not go through. Returns how many."""

    order_id: UUID
