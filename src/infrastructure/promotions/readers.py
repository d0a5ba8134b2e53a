"""Read side of promotions: staff lists (keyset pages), and what a cart may use now, read on
the caller's connection so ordering can ask inside its own transaction (two statements at most:
the automatic promotions live now, and the given codes with their promotions and this
customer's uses)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.promotions.views import CouponView, PromotionList, PromotionView
from application.shared.errors import InvalidCursor
from application.shared.pagination import (
    NOT_OURS,
    Page,
    cursor_instant,
    decode_cursor,
    encode_cursor,
    page_of,
)
from domain.promotions.coupon import Coupon
from domain.promotions.promotion import Promotion
from domain.promotions.values import normal_code
from infrastructure.promotions.repositories import (
    COUPON_FIELDS,
    coupon_from_row,
    customer_uses,
    promotion_from_row,
)
from infrastructure.promotions.tables import coupons, promotions


@dataclass(frozen=True, kw_only=True)
class CouponOffer:
    """A code given at checkout: its coupon, its promotion, and this customer's uses of it."""

    coupon: Coupon
    promotion: Promotion
    customer_uses: int


@dataclass(frozen=True, kw_only=True)
class Offers:
    """What a cart may use now: automatic promotions, and the known ones of the given codes."""

    automatic: list[Promotion]
    coupons: dict[str, CouponOffer]  # by normalised code; an unknown code is absent


async def live_offers(
    conn: AsyncConnection,
    *,
    currency: str,
    codes: Sequence[str],
    customer_id: UUID,
    email: str | None,
    now: datetime,
) -> Offers:
    """The automatic promotions live at `now` whose amounts (if any) are in `currency`, and the
    coupons of `codes` whatever their state (the caller says why one cannot be used)."""
    p = promotions.c
    automatic = await conn.execute(
        select(promotions).where(
            p.automatic,
            p.status == "active",
            or_(p.starts_at.is_(None), p.starts_at <= now),
            or_(p.ends_at.is_(None), p.ends_at > now),
            or_(p.currency.is_(None), p.currency == currency),
        )
    )
    offers = Offers(automatic=[promotion_from_row(r._mapping) for r in automatic], coupons={})
    wanted = list(dict.fromkeys(normal_code(c) for c in codes))
    if wanted:
        email = None if email is None else email.strip().lower()
        rows = await conn.execute(
            select(
                promotions,
                *(coupons.c[name].label(f"coupon_{name}") for name in COUPON_FIELDS),
                customer_uses(coupons.c.id, customer_id, email).label("customer_uses"),
            )
            .join(coupons, coupons.c.promotion_id == p.id)
            .where(coupons.c.code.in_(wanted))
        )
        for row in rows:
            offers.coupons[row.coupon_code] = _offer(row)
    return offers


def _offer(row: Row[Any]) -> CouponOffer:
    m = row._mapping
    coupon = coupon_from_row({name: m[f"coupon_{name}"] for name in COUPON_FIELDS})
    return CouponOffer(
        coupon=coupon, promotion=promotion_from_row(m), customer_uses=m["customer_uses"]
    )


class SqlPromotionDirectory:
    """Staff reads: promotions newest first, a promotion's codes oldest first."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def promotions(self, query: PromotionList) -> Page[PromotionView]:
        p = promotions.c
        statement = select(promotions)
        if query.status is not None:
            statement = statement.where(p.status == query.status.value)
        if query.cursor is not None:
            statement = statement.where(tuple_(p.created_at, p.id) < _after(query.cursor))
        statement = statement.order_by(p.created_at.desc(), p.id.desc()).limit(query.limit + 1)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return page_of(
            rows,
            query.limit,
            item=lambda r: PromotionView.of(promotion_from_row(r._mapping)),
            cursor=lambda r: encode_cursor([r.created_at.isoformat(), str(r.id)]),
        )

    async def promotion(self, promotion_id: UUID) -> PromotionView | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(promotions).where(promotions.c.id == promotion_id))
            ).first()
        return None if row is None else PromotionView.of(promotion_from_row(row._mapping))

    async def coupons(
        self, promotion_id: UUID, *, limit: int, cursor: str | None
    ) -> Page[CouponView]:
        c = coupons.c
        statement = select(coupons).where(c.promotion_id == promotion_id)
        if cursor is not None:
            statement = statement.where(tuple_(c.created_at, c.id) > _after(cursor))
        statement = statement.order_by(c.created_at, c.id).limit(limit + 1)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return page_of(
            rows,
            limit,
            item=lambda r: CouponView.of(coupon_from_row(r._mapping)),
            cursor=lambda r: encode_cursor([r.created_at.isoformat(), str(r.id)]),
        )


def _after(cursor: str) -> Any:
    instant, key = decode_cursor(cursor, length=2)
    try:
        return tuple_(cursor_instant(instant), UUID(key))
    except ValueError:
        raise InvalidCursor(NOT_OURS) from None
