"""Coupons: codes that apply a coupon-only promotion, each with an optional limit of uses in
total and per customer. `uses` is counted by the database itself, one conditional update per
order (ADR 0033), never by loading a coupon and saving it back."""

from datetime import datetime
from uuid import UUID

from domain.promotions import events as ev
from domain.promotions.errors import InvalidCoupon
from domain.promotions.promotion import Promotion
from domain.promotions.values import CouponRefusal, coupon_code
from domain.shared.aggregate import AggregateRoot


class Coupon(AggregateRoot):
    """One code of one promotion."""

    stream_type = "coupon"

    def __init__(
        self,
        *,
        id: UUID,
        promotion_id: UUID,
        code: str,
        usage_limit: int | None,
        per_customer_limit: int | None,
        uses: int,
        active: bool,
        created_at: datetime,
    ) -> None:
        super().__init__()
        self.id, self.promotion_id, self.code = id, promotion_id, code
        self.usage_limit, self.per_customer_limit = usage_limit, per_customer_limit
        self.uses, self.active, self.created_at = uses, active, created_at

    # -- creation -------------------------------------------------------------------------

    @classmethod
    def add(
        cls,
        *,
        id: UUID,
        promotion: Promotion,
        code: str,
        usage_limit: int | None,
        per_customer_limit: int | None,
        by: UUID,
        now: datetime,
    ) -> "Coupon":
        """A new code for a coupon-only promotion that has not ended."""
        promotion.ensure_not_ended()
        if promotion.automatic:
            raise InvalidCoupon("an automatic promotion applies without a code")
        for limit in (usage_limit, per_customer_limit):
            if limit is not None and limit < 1:
                raise InvalidCoupon("a limit of uses is at least one")
        coupon = cls(
            id=id,
            promotion_id=promotion.id,
            code=coupon_code(code),
            usage_limit=usage_limit,
            per_customer_limit=per_customer_limit,
            uses=0,
            active=True,
            created_at=now,
        )
        coupon._record(
            ev.CouponAdded(
                occurred_at=now,
                coupon_id=id,
                promotion_id=promotion.id,
                usage_limit=usage_limit,
                per_customer_limit=per_customer_limit,
                added_by=by,
            )
        )
        return coupon

    # -- commands -------------------------------------------------------------------------

    def disable(self, *, by: UUID, now: datetime) -> None:
        """Refused from now on; disabling it again changes nothing."""
        if self.active:
            self.active = False
            self._record(
                ev.CouponDisabled(
                    occurred_at=now,
                    coupon_id=self.id,
                    promotion_id=self.promotion_id,
                    disabled_by=by,
                )
            )

    # -- queries --------------------------------------------------------------------------

    def refusal(
        self, promotion: Promotion, *, now: datetime, customer_uses: int
    ) -> CouponRefusal | None:
        """Why the code cannot be used now by a customer who used it `customer_uses` times in
        orders still standing; None when it can. Redeeming checks the limits again, atomically."""
        if not self.active:
            return CouponRefusal.UNKNOWN
        if not promotion.live_at(now):
            return CouponRefusal.EXPIRED
        if self.usage_limit is not None and self.uses >= self.usage_limit:
            return CouponRefusal.USED_UP
        if self.per_customer_limit is not None and customer_uses >= self.per_customer_limit:
            return CouponRefusal.USED_UP
        return None

    @property
    def stream_id(self) -> str:
        return f"coupon-{self.id}"
