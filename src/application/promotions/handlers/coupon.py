"""Coupon handlers: staff add and disable codes; the log's subscriber gives uses back."""

import uuid

from application.promotions import commands as c
from application.promotions.deps import PromotionsDeps
from application.promotions.handlers.promotion import load
from application.promotions.views import CouponView
from domain.promotions.coupon import Coupon
from domain.promotions.errors import PromotionNotFound


async def add_coupon(cmd: c.AddCoupon, deps: PromotionsDeps) -> CouponView:
    async with deps.uow() as uow:
        promotion = await load(uow, cmd.promotion_id)
        coupon = Coupon.add(
            id=uuid.uuid4(),
            promotion=promotion,
            code=cmd.code,
            usage_limit=cmd.usage_limit,
            per_customer_limit=cmd.per_customer_limit,
            by=cmd.actor_id,
            now=deps.clock.now(),
        )
        await uow.coupons.add(coupon)
        await uow.commit()
    return CouponView.of(coupon)


async def disable_coupon(cmd: c.DisableCoupon, deps: PromotionsDeps) -> CouponView:
    async with deps.uow() as uow:
        coupon = await uow.coupons.get(cmd.promotion_id, cmd.coupon_id)
        if coupon is None:
            raise PromotionNotFound(f"coupon {cmd.coupon_id} not found")
        coupon.disable(by=cmd.actor_id, now=deps.clock.now())
        await uow.coupons.save(coupon)
        await uow.commit()
    return CouponView.of(coupon)


async def release_coupon_uses(cmd: c.ReleaseCouponUses, deps: PromotionsDeps) -> int:
    """Idempotent: a redemption given back is marked so, and is never given back again."""
    async with deps.uow() as uow:
        released = await uow.coupons.release(cmd.order_id, now=deps.clock.now())
        await uow.commit()
    return released
