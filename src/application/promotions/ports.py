"""What promotions need: promotions and coupons in one transaction, and the read side. The
counting of uses is not here: it happens in ordering's transaction, through the adapter that
serves ordering's `Promotions` port (ADR 0033)."""

from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.promotions.views import CouponView, PromotionList, PromotionView
from application.shared.pagination import Page
from application.shared.unit_of_work import UnitOfWork
from domain.promotions.coupon import Coupon
from domain.promotions.promotion import Promotion


class PromotionRepository(Protocol):
    """Promotions, saved with the version check (ConcurrencyConflict when it moved)."""

    async def add(self, promotion: Promotion) -> None: ...

    async def get(self, promotion_id: UUID) -> Promotion | None: ...

    async def save(self, promotion: Promotion) -> None: ...


class CouponRepository(Protocol):
    """Coupon codes, unique whatever their case (CouponCodeTaken), and their redemptions."""

    async def add(self, coupon: Coupon) -> None: ...

    async def get(self, promotion_id: UUID, coupon_id: UUID) -> Coupon | None: ...

    async def save(self, coupon: Coupon) -> None:
        """Its `active` flag; never `uses`, which only redemptions change."""

    async def release(self, order_id: UUID, *, now: datetime) -> int:
        """Give back each use the order took that is not given back yet; how many were."""


class PromotionsUnitOfWork(UnitOfWork, Protocol):
    """One transaction over promotions and coupons."""

    @property
    def promotions(self) -> PromotionRepository: ...

    @property
    def coupons(self) -> CouponRepository: ...


class PromotionsUnitOfWorkFactory(Protocol):
    """Opens a fresh unit of work for each command."""

    def __call__(self) -> PromotionsUnitOfWork: ...


class PromotionDirectory(Protocol):
    """Read side for staff: promotions newest first, a promotion's codes oldest first."""

    async def promotions(self, query: PromotionList) -> Page[PromotionView]: ...

    async def promotion(self, promotion_id: UUID) -> PromotionView | None: ...

    async def coupons(
        self, promotion_id: UUID, *, limit: int, cursor: str | None
    ) -> Page[CouponView]: ...
