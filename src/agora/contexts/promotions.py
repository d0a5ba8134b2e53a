"""Promotions wired: promotions and coupons in PostgreSQL, the giving back of coupon uses as
orders fail, and the anti-corruption adapter that serves ordering's `Promotions` port on
ordering's own connection (the price pipeline applies what it returns; ADR 0033)."""

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from agora.platform import Platform, Wiring
from application.ordering.ports import CouponExpired, CouponUsedUp, UnknownCoupon
from application.promotions import commands as c
from application.promotions.deps import PromotionsDeps
from application.promotions.handlers import coupon, promotion
from application.promotions.queries import PromotionsQueries
from application.shared.bus import CommandBus
from domain.ordering.pricing.inputs import PromotionKind, PromotionRule, PromotionTarget
from domain.promotions.errors import CouponLimitReached, CouponNotLive
from domain.promotions.events import EVENTS
from domain.promotions.promotion import Promotion
from domain.promotions.values import CouponRefusal, normal_code
from infrastructure.promotions.readers import SqlPromotionDirectory, live_offers
from infrastructure.promotions.repositories import redeem_coupons
from infrastructure.promotions.subscribers import CouponUseReleaser
from infrastructure.promotions.unit_of_work import SqlPromotionsUnitOfWork

NAME = "promotions"
__all__ = [
    "EVENTS",
    "NAME",
    "PromotionsForOrdering",
    "dependencies",
    "queries",
    "register",
    "rule_of",
    "wire",
]

REFUSED = {
    CouponRefusal.UNKNOWN: UnknownCoupon,
    CouponRefusal.EXPIRED: CouponExpired,
    CouponRefusal.USED_UP: CouponUsedUp,
}


class PromotionsForOrdering:
    """Ordering's Promotions port, served by promotions' tables on ordering's connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def applicable(
        self,
        *,
        currency: str,
        coupon_codes: Sequence[str],
        customer_id: UUID,
        email: str | None,
        now: datetime,
    ) -> list[PromotionRule]:
        """Automatic ones first, then each code's promotion in the order given; a promotion
        appears once however many of its codes were given (the first one is kept)."""
        offers = await live_offers(
            self._conn,
            currency=currency,
            codes=coupon_codes,
            customer_id=customer_id,
            email=email,
            now=now,
        )
        rules = [rule_of(p) for p in offers.automatic]
        seen = {p.id for p in offers.automatic}
        for code in dict.fromkeys(map(normal_code, coupon_codes)):
            offer = offers.coupons.get(code)
            if offer is None:
                raise UnknownCoupon(f"no coupon has the code {code}")
            refusal = offer.coupon.refusal(
                offer.promotion, now=now, customer_uses=offer.customer_uses
            )
            if refusal is not None:
                raise REFUSED[refusal](f"the code {code} is {refusal.value.replace('_', ' ')}")
            if offer.promotion.id not in seen:
                seen.add(offer.promotion.id)
                rules.append(rule_of(offer.promotion, coupon_code=code))
        return rules

    async def redeem(
        self,
        coupon_codes: Sequence[str],
        *,
        order_id: UUID,
        customer_id: UUID,
        email: str | None,
        now: datetime,
    ) -> None:
        try:
            await redeem_coupons(
                self._conn,
                coupon_codes,
                order_id=order_id,
                customer_id=customer_id,
                email=email,
                now=now,
            )
        except CouponNotLive as exc:
            raise CouponExpired(exc.detail) from None
        except CouponLimitReached as exc:
            raise CouponUsedUp(exc.detail) from None


def rule_of(p: Promotion, *, coupon_code: str | None = None) -> PromotionRule:
    """A promotion as the pipeline applies it: the kinds and targets are spelled alike."""
    t = p.terms
    return PromotionRule(
        promotion_id=p.id,
        name=p.name,
        kind=PromotionKind(t.kind.value),
        target=PromotionTarget(t.target.value),
        percent=t.percent,
        amount=t.amount,
        buy_quantity=t.buy_quantity,
        get_quantity=t.get_quantity,
        product_ids=t.product_ids,
        category_ids=t.category_ids,
        min_subtotal=t.min_subtotal,
        starts_at=t.starts_at,
        ends_at=t.ends_at,
        priority=t.priority,
        exclusive=t.exclusive,
        coupon_code=coupon_code,
    )


def wire(p: Platform) -> Wiring:
    register(p.bus, dependencies(p))
    return Wiring(subscribers=[CouponUseReleaser(p.bus)])


def dependencies(p: Platform) -> PromotionsDeps:
    return PromotionsDeps(uow=partial(SqlPromotionsUnitOfWork, p.engine, p.registry), clock=p.clock)


def register(bus: CommandBus, deps: PromotionsDeps) -> None:
    """The context's command handlers on the bus (tests register them with fakes)."""
    bus.register(c.CreatePromotion, promotion.create_promotion, deps)
    bus.register(c.ChangePromotion, promotion.change_promotion, deps)
    bus.register(c.EndPromotion, promotion.end_promotion, deps)
    bus.register(c.AddCoupon, coupon.add_coupon, deps)
    bus.register(c.DisableCoupon, coupon.disable_coupon, deps)
    bus.register(c.ReleaseCouponUses, coupon.release_coupon_uses, deps)


def queries(p: Platform) -> PromotionsQueries:
    return PromotionsQueries(directory=SqlPromotionDirectory(p.engine))
