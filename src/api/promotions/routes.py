"""Promotions and their coupon codes, managed by staff: create, list, read, replace and end
promotions; add, list and disable codes. Changing a promotion needs its ETag (If-Match)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from api.dependencies import PageCursor, PageLimit, PromotionsWriter, Services
from api.etags import IfMatch, expected_version, with_etag
from api.openapi import raises
from api.promotions import schemas
from application.promotions import commands as c
from application.promotions.views import CouponView, PromotionList, PromotionView
from application.shared import errors as shared
from application.shared.pagination import DEFAULT_LIMIT, Page
from domain.promotions import errors as promotions
from domain.promotions.values import PromotionStatus
from domain.shared.money import InvalidMoney

router = APIRouter(prefix="/api/v1/promotions", tags=["promotions"])
routers = [router]

CHANGE_ERRORS = (
    promotions.InvalidPromotion,
    promotions.PromotionNotFound,
    promotions.PromotionEnded,
    InvalidMoney,
    shared.ConcurrencyConflict,
    shared.PreconditionFailed,
    shared.PreconditionRequired,
)


@router.post(
    "",
    summary="Create a promotion (staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.PromotionResponse,
)
@raises(promotions.InvalidPromotion, InvalidMoney)
async def create_promotion(
    body: schemas.PromotionInput, staff: PromotionsWriter, response: Response, services: Services
) -> PromotionView:
    """Active at once, within its window; a coupon-only one needs codes to apply."""
    promotion = await services.bus.handle(
        c.CreatePromotion(spec=body.spec(), actor_id=staff.user_id)
    )
    response.headers["Location"] = f"/api/v1/promotions/{promotion.id}"
    return with_etag(response, promotion.version, promotion)


@router.get("", summary="Promotions (staff)", response_model=schemas.PromotionPage)
@raises(shared.InvalidCursor)
async def list_promotions(
    _: PromotionsWriter,
    services: Services,
    status_: Annotated[PromotionStatus | None, Query(alias="status")] = None,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> Page[PromotionView]:
    """Newest first; keyset pages, so promotions created while paging cause no duplicates."""
    return await services.promotions.promotions(
        PromotionList(status=status_, limit=limit, cursor=cursor)
    )


@router.get(
    "/{promotion_id}", summary="A promotion (staff)", response_model=schemas.PromotionResponse
)
@raises(promotions.PromotionNotFound)
async def read_promotion(
    promotion_id: UUID, _: PromotionsWriter, response: Response, services: Services
) -> PromotionView:
    promotion = await services.promotions.promotion(promotion_id)
    return with_etag(response, promotion.version, promotion)


@router.put(
    "/{promotion_id}",
    summary="Replace a promotion's terms (staff)",
    response_model=schemas.PromotionResponse,
)
@raises(*CHANGE_ERRORS)
async def change_promotion(
    promotion_id: UUID,
    body: schemas.PromotionInput,
    staff: PromotionsWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> PromotionView:
    """Requires If-Match: without it 428, with a stale ETag 412. Orders placed before keep
    the terms they were priced at."""
    promotion = await services.bus.handle(
        c.ChangePromotion(
            promotion_id=promotion_id,
            spec=body.spec(),
            expected_version=expected_version(if_match),
            actor_id=staff.user_id,
        )
    )
    return with_etag(response, promotion.version, promotion)


@router.post(
    "/{promotion_id}/end",
    summary="End a promotion now (staff)",
    response_model=schemas.PromotionResponse,
)
@raises(promotions.PromotionNotFound, shared.ConcurrencyConflict, shared.PreconditionFailed)
async def end_promotion(
    promotion_id: UUID,
    staff: PromotionsWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> PromotionView:
    """Neither it nor its codes apply any more; If-Match is honoured when sent."""
    promotion = await services.bus.handle(
        c.EndPromotion(
            promotion_id=promotion_id,
            expected_version=expected_version(if_match),
            actor_id=staff.user_id,
        )
    )
    return with_etag(response, promotion.version, promotion)


@router.post(
    "/{promotion_id}/coupons",
    summary="Add a coupon code (staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.CouponResponse,
)
@raises(
    promotions.InvalidCoupon,
    promotions.PromotionNotFound,
    promotions.PromotionEnded,
    promotions.CouponCodeTaken,
)
async def add_coupon(
    promotion_id: UUID, body: schemas.NewCoupon, staff: PromotionsWriter, services: Services
) -> CouponView:
    """Codes are unique whatever their case, and stored in upper case."""
    return await services.bus.handle(
        c.AddCoupon(promotion_id=promotion_id, actor_id=staff.user_id, **body.model_dump())
    )


@router.get(
    "/{promotion_id}/coupons",
    summary="A promotion's coupon codes (staff)",
    response_model=schemas.CouponPage,
)
@raises(promotions.PromotionNotFound, shared.InvalidCursor)
async def list_coupons(
    promotion_id: UUID,
    _: PromotionsWriter,
    services: Services,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> Page[CouponView]:
    return await services.promotions.coupons(promotion_id, limit=limit, cursor=cursor)


@router.post(
    "/{promotion_id}/coupons/{coupon_id}/disable",
    summary="Disable a coupon code (staff)",
    response_model=schemas.CouponResponse,
)
@raises(promotions.PromotionNotFound)
async def disable_coupon(
    promotion_id: UUID, coupon_id: UUID, staff: PromotionsWriter, services: Services
) -> CouponView:
    """Refused from now on; the uses it had stay counted."""
    return await services.bus.handle(
        c.DisableCoupon(promotion_id=promotion_id, coupon_id=coupon_id, actor_id=staff.user_id)
    )
