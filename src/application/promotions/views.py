"""What promotions queries and commands return, and what staff lists are asked for."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from application.shared.pagination import DEFAULT_LIMIT
from application.shared.views import view_of
from domain.promotions.coupon import Coupon
from domain.promotions.promotion import Promotion
from domain.promotions.values import PromotionKind, PromotionStatus, PromotionTarget
from domain.shared.money import Money


@dataclass(frozen=True, kw_only=True)
class PromotionView:
    """A promotion as staff see it; `version` is its ETag."""

    id: UUID
    name: str
    kind: PromotionKind
    target: PromotionTarget
    percent: Decimal | None
    amount: Money | None
    buy_quantity: int
    get_quantity: int
    product_ids: tuple[UUID, ...]
    category_ids: tuple[UUID, ...]
    min_subtotal: Money | None
    starts_at: datetime | None
    ends_at: datetime | None
    priority: int
    exclusive: bool
    automatic: bool
    status: PromotionStatus
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, promotion: Promotion) -> "PromotionView":
        return view_of(cls, promotion.terms, **_own(promotion))


def _own(p: Promotion) -> dict[str, object]:
    return {
        "id": p.id,
        "name": p.name,
        "automatic": p.automatic,
        "status": p.status,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "version": p.version,
    }


@dataclass(frozen=True, kw_only=True)
class CouponView:
    """A coupon code, its limits and how many orders that went through used it."""

    id: UUID
    promotion_id: UUID
    code: str
    usage_limit: int | None
    per_customer_limit: int | None
    uses: int
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, coupon: Coupon) -> "CouponView":
        return view_of(cls, coupon)


@dataclass(frozen=True, kw_only=True)
class PromotionList:
    """A page of promotions, newest first, optionally of one status."""

    status: PromotionStatus | None = None
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
