"""Promotions' reads for staff: promotions and their coupon codes."""

from uuid import UUID

from application.promotions.ports import PromotionDirectory
from application.promotions.views import CouponView, PromotionList, PromotionView
from application.shared.pagination import Page
from domain.promotions.errors import PromotionNotFound


class PromotionsQueries:
    """What routes read of promotions."""

    def __init__(self, *, directory: PromotionDirectory) -> None:
        self._directory = directory

    async def promotions(self, query: PromotionList) -> Page[PromotionView]:
        return await self._directory.promotions(query)

    async def promotion(self, promotion_id: UUID) -> PromotionView:
        view = await self._directory.promotion(promotion_id)
        if view is None:
            raise PromotionNotFound(f"promotion {promotion_id} not found")
        return view

    async def coupons(
        self, promotion_id: UUID, *, limit: int, cursor: str | None
    ) -> Page[CouponView]:
        if await self._directory.promotion(promotion_id) is None:
            raise PromotionNotFound(f"promotion {promotion_id} not found")
        return await self._directory.coupons(promotion_id, limit=limit, cursor=cursor)
