"""What happens to promotions and their coupons. A coupon's code is left out: the log is
published, and a single-use code is as good as money to whoever reads it."""

from dataclasses import dataclass
from uuid import UUID

from domain.shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PromotionCreated(DomainEvent):
    """Staff created a promotion: automatic, or for the codes they add to it."""

    promotion_id: UUID
    name: str
    kind: str
    target: str
    automatic: bool
    created_by: UUID


@dataclass(frozen=True, kw_only=True)
class PromotionChanged(DomainEvent):
    """Staff changed a promotion's terms; orders placed before keep the terms they were priced
    at."""

    promotion_id: UUID
    name: str
    changed_by: UUID


@dataclass(frozen=True, kw_only=True)
class PromotionEnded(DomainEvent):
    """Staff ended a promotion before its window did: neither it nor its codes apply any more."""

    promotion_id: UUID
    ended_by: UUID


@dataclass(frozen=True, kw_only=True)
class CouponAdded(DomainEvent):
    """A code for a promotion, with its limits (None: no limit)."""

    coupon_id: UUID
    promotion_id: UUID
    usage_limit: int | None
    per_customer_limit: int | None
    added_by: UUID


@dataclass(frozen=True, kw_only=True)
class CouponDisabled(DomainEvent):
    """The code is refused from now on; the uses it had stay counted."""

    coupon_id: UUID
    promotion_id: UUID
    disabled_by: UUID


EVENTS: tuple[type[DomainEvent], ...] = (
    PromotionCreated,
    PromotionChanged,
    PromotionEnded,
    CouponAdded,
    CouponDisabled,
)
