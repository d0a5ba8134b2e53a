"""Promotion handlers: each opens a unit of work, changes a promotion through its methods and
commits; the events reach the log with it."""

import uuid

from application.promotions import commands as c
from application.promotions.deps import PromotionsDeps
from application.promotions.ports import PromotionsUnitOfWork
from application.promotions.views import PromotionView
from application.shared.errors import PreconditionFailed, PreconditionRequired
from domain.promotions.errors import InvalidPromotion, PromotionNotFound
from domain.promotions.promotion import Promotion
from domain.promotions.values import PromotionKind, PromotionTarget, Terms
from domain.shared.money import Money


async def create_promotion(cmd: c.CreatePromotion, deps: PromotionsDeps) -> PromotionView:
    promotion = Promotion.create(
        id=uuid.uuid4(),
        name=cmd.spec.name,
        terms=terms_of(cmd.spec),
        automatic=cmd.spec.automatic,
        by=cmd.actor_id,
        now=deps.clock.now(),
    )
    async with deps.uow() as uow:
        await uow.promotions.add(promotion)
        await uow.commit()
    return PromotionView.of(promotion)


async def change_promotion(cmd: c.ChangePromotion, deps: PromotionsDeps) -> PromotionView:
    if cmd.expected_version is None:
        raise PreconditionRequired("send If-Match with the promotion's ETag to change it")
    terms = terms_of(cmd.spec)
    async with deps.uow() as uow:
        promotion = await load(uow, cmd.promotion_id, expected_version=cmd.expected_version)
        promotion.change(
            name=cmd.spec.name,
            terms=terms,
            automatic=cmd.spec.automatic,
            by=cmd.actor_id,
            now=deps.clock.now(),
        )
        await uow.promotions.save(promotion)
        await uow.commit()
    return PromotionView.of(promotion)


async def end_promotion(cmd: c.EndPromotion, deps: PromotionsDeps) -> PromotionView:
    async with deps.uow() as uow:
        promotion = await load(uow, cmd.promotion_id, expected_version=cmd.expected_version)
        promotion.end(by=cmd.actor_id, now=deps.clock.now())
        await uow.promotions.save(promotion)
        await uow.commit()
    return PromotionView.of(promotion)


async def load(
    uow: PromotionsUnitOfWork, promotion_id: uuid.UUID, *, expected_version: int | None = None
) -> Promotion:
    promotion = await uow.promotions.get(promotion_id)
    if promotion is None:
        raise PromotionNotFound(f"promotion {promotion_id} not found")
    if expected_version is not None and promotion.version != expected_version:
        raise PreconditionFailed(
            f"promotion {promotion_id} is at version {promotion.version}, not {expected_version}"
        )
    return promotion


def terms_of(spec: c.PromotionSpec) -> Terms:
    """The domain's terms from what staff sent: amounts become Money in the spec's currency."""
    try:
        kind, target = PromotionKind(spec.kind), PromotionTarget(spec.target)
    except ValueError:
        raise InvalidPromotion(f"unknown kind {spec.kind!r} or target {spec.target!r}") from None
    if (spec.amount is not None or spec.min_subtotal is not None) and spec.currency is None:
        raise InvalidPromotion("an amount or a minimum subtotal needs a currency")
    currency = spec.currency or ""
    return Terms(
        kind=kind,
        target=target,
        percent=spec.percent,
        amount=None if spec.amount is None else Money.of(spec.amount, currency),
        buy_quantity=spec.buy_quantity,
        get_quantity=spec.get_quantity,
        product_ids=spec.product_ids,
        category_ids=spec.category_ids,
        min_subtotal=None if spec.min_subtotal is None else Money.of(spec.min_subtotal, currency),
        starts_at=spec.starts_at,
        ends_at=spec.ends_at,
        priority=spec.priority,
        exclusive=spec.exclusive,
    )
