"""Promotion and coupon repositories (Core, on the unit of work's connection), and the taking
of coupon uses in ordering's transaction: one conditional update of the counter per code, and
a redemption row counted under the lock that update holds (ADR 0033)."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.errors import ConcurrencyConflict
from domain.promotions.coupon import Coupon
from domain.promotions.errors import CouponCodeTaken, CouponLimitReached, CouponNotLive
from domain.promotions.promotion import Promotion
from domain.promotions.values import (
    PromotionKind,
    PromotionStatus,
    PromotionTarget,
    Terms,
    normal_code,
)
from domain.shared.money import Money
from infrastructure.db.unit_of_work import SeenAggregates
from infrastructure.promotions.tables import coupon_redemptions, coupons, promotions


class SqlPromotionRepository:
    """Promotions with optimistic concurrency on `version`."""

    def __init__(self, conn: AsyncConnection, seen: SeenAggregates) -> None:
        self._conn = conn
        self._seen = seen

    async def add(self, promotion: Promotion) -> None:
        await self._conn.execute(insert(promotions).values(promotion_to_row(promotion)))
        self._seen.add(promotion)

    async def get(self, promotion_id: UUID) -> Promotion | None:
        statement = select(promotions).where(promotions.c.id == promotion_id)
        row = (await self._conn.execute(statement)).first()
        return None if row is None else self._seen.add(promotion_from_row(row._mapping))

    async def save(self, promotion: Promotion) -> None:
        result = await self._conn.execute(
            update(promotions)
            .where(promotions.c.id == promotion.id, promotions.c.version == promotion.version)
            .values(promotion_to_row(promotion) | {"version": promotion.version + 1})
        )
        if result.rowcount != 1:
            raise ConcurrencyConflict(f"promotion {promotion.id} was changed concurrently")
        promotion.version += 1


class SqlCouponRepository:
    """Coupon codes; `uses` is never written from a loaded coupon, only moved in place."""

    def __init__(self, conn: AsyncConnection, seen: SeenAggregates) -> None:
        self._conn = conn
        self._seen = seen

    async def add(self, coupon: Coupon) -> None:
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(insert(coupons).values(coupon_to_row(coupon)))
        except IntegrityError as exc:
            if "uq_coupons_code" in str(exc.orig):
                raise CouponCodeTaken(f"the code {coupon.code} is taken") from None
            raise
        self._seen.add(coupon)

    async def get(self, promotion_id: UUID, coupon_id: UUID) -> Coupon | None:
        statement = select(coupons).where(
            coupons.c.id == coupon_id, coupons.c.promotion_id == promotion_id
        )
        row = (await self._conn.execute(statement)).first()
        return None if row is None else self._seen.add(coupon_from_row(row._mapping))

    async def save(self, coupon: Coupon) -> None:
        await self._conn.execute(
            update(coupons).where(coupons.c.id == coupon.id).values(active=coupon.active)
        )

    async def release(self, order_id: UUID, *, now: datetime) -> int:
        """One statement: mark the order's redemptions given back (those not given back yet:
        a second release finds none, whoever runs it), and decrement each one's counter."""
        released = (
            update(coupon_redemptions)
            .where(
                coupon_redemptions.c.order_id == order_id,
                coupon_redemptions.c.released_at.is_(None),
            )
            .values(released_at=now)
            .returning(coupon_redemptions.c.coupon_id)
            .cte("released")
        )
        statement = (
            update(coupons)
            .where(coupons.c.id == released.c.coupon_id)
            .values(uses=coupons.c.uses - 1)
            .returning(coupons.c.id)
        )
        return len((await self._conn.execute(statement)).all())


async def redeem_coupons(
    conn: AsyncConnection,
    codes: Sequence[str],
    *,
    order_id: UUID,
    customer_id: UUID,
    email: str | None,
    now: datetime,
) -> None:
    """One use of each code for the order, every code or none (a savepoint), in the caller's
    transaction; a code this order redeemed already is left as it is. CouponNotLive when the
    code's promotion has ended or is out of its window at `now` (staff may end it after the
    cart was priced); CouponLimitReached when a code is disabled, at its limit, or at this
    customer's limit."""
    wanted = list(dict.fromkeys(normal_code(c) for c in codes))
    if not wanted:
        return
    done = await conn.execute(
        select(coupons.c.code)
        .join(coupon_redemptions, coupon_redemptions.c.coupon_id == coupons.c.id)
        .where(coupon_redemptions.c.order_id == order_id, coupons.c.code.in_(wanted))
    )
    redeemed = set(done.scalars())
    email = None if email is None else email.strip().lower()
    async with conn.begin_nested():
        for code in (c for c in wanted if c not in redeemed):
            await _redeem_one(
                conn, code, order_id=order_id, customer_id=customer_id, email=email, now=now
            )


async def _redeem_one(
    conn: AsyncConnection,
    code: str,
    *,
    order_id: UUID,
    customer_id: UUID,
    email: str | None,
    now: datetime,
) -> None:
    # The update takes the coupon row's lock: every other redemption of this code waits here
    # until this transaction ends, and re-checks the limit against the committed count. Its
    # promotion must still be live now (UPDATE ... FROM promotions), as it was when priced.
    taken = await conn.execute(
        update(coupons)
        .where(
            coupons.c.code == code,
            coupons.c.active,
            or_(coupons.c.usage_limit.is_(None), coupons.c.uses < coupons.c.usage_limit),
            promotions.c.id == coupons.c.promotion_id,
            _promotion_live(now),
        )
        .values(uses=coupons.c.uses + 1)
        .returning(coupons.c.id, coupons.c.per_customer_limit)
    )
    row = taken.first()
    if row is None:
        await _refuse(conn, code, now)
        return
    # Under that lock, a new statement sees every redemption committed before it: counting
    # them and inserting is one step no other redemption of this code can interleave with.
    inserted = await conn.execute(
        insert(coupon_redemptions)
        .from_select(
            ["coupon_id", "order_id", "customer_id", "email", "redeemed_at"],
            select(
                *(
                    literal(value, type_=coupon_redemptions.c[name].type)
                    for name, value in (
                        ("coupon_id", row.id),
                        ("order_id", order_id),
                        ("customer_id", customer_id),
                        ("email", email),
                        ("redeemed_at", now),
                    )
                )
            ).where(_under_customer_limit(row.id, row.per_customer_limit, customer_id, email)),
        )
        .returning(coupon_redemptions.c.coupon_id)
    )
    if inserted.first() is None:
        raise CouponLimitReached(f"the code {code} was used as often as one customer may")


def _promotion_live(now: datetime) -> Any:
    """The promotion applies at `now`, as `Promotion.live_at` says: not ended, in its window."""
    p = promotions.c
    return and_(
        p.status == PromotionStatus.ACTIVE.value,
        or_(p.starts_at.is_(None), p.starts_at <= now),
        or_(p.ends_at.is_(None), p.ends_at > now),
    )


async def _refuse(conn: AsyncConnection, code: str, now: datetime) -> None:
    """Why no use was taken, read only once it was refused: the success path stays one
    statement. A code of a promotion no longer live has expired; any other is used up."""
    live = await conn.scalar(
        select(_promotion_live(now))
        .select_from(coupons.join(promotions, promotions.c.id == coupons.c.promotion_id))
        .where(coupons.c.code == code)
    )
    if live is False:
        raise CouponNotLive(f"the code {code} is expired")
    raise CouponLimitReached(f"the code {code} is used up")


def _under_customer_limit(
    coupon_id: UUID, limit: int | None, customer_id: UUID, email: str | None
) -> Any:
    if limit is None:
        return literal(True)
    return customer_uses(coupon_id, customer_id, email) < limit


def customer_uses(coupon_id: Any, customer_id: UUID, email: str | None) -> Any:
    """How many uses of the coupon this customer (by account, or by email for guests) holds in
    orders not given back: a scalar subquery."""
    r = coupon_redemptions.c
    same = (
        r.customer_id == customer_id
        if email is None
        else or_(r.customer_id == customer_id, r.email == email)
    )
    return (
        select(func.count())
        .select_from(coupon_redemptions)
        .where(and_(r.coupon_id == coupon_id, r.released_at.is_(None), same))
        .scalar_subquery()
    )


# -- mapping ---------------------------------------------------------------------------------


def promotion_to_row(p: Promotion) -> dict[str, Any]:
    t = p.terms
    return {
        "id": p.id,
        "name": p.name,
        "kind": t.kind.value,
        "target": t.target.value,
        "percent": t.percent,
        "amount": None if t.amount is None else t.amount.amount,
        "currency": t.currency,
        "buy_quantity": t.buy_quantity,
        "get_quantity": t.get_quantity,
        "product_ids": list(t.product_ids),
        "category_ids": list(t.category_ids),
        "min_subtotal": None if t.min_subtotal is None else t.min_subtotal.amount,
        "starts_at": t.starts_at,
        "ends_at": t.ends_at,
        "priority": t.priority,
        "exclusive": t.exclusive,
        "automatic": p.automatic,
        "status": p.status.value,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "version": p.version,
    }


def promotion_from_row(row: Mapping[Any, Any]) -> Promotion:
    def money(amount: Any) -> Money | None:
        return None if amount is None else Money.of(amount, row["currency"])

    terms = Terms(
        kind=PromotionKind(row["kind"]),
        target=PromotionTarget(row["target"]),
        percent=row["percent"],
        amount=money(row["amount"]),
        buy_quantity=row["buy_quantity"],
        get_quantity=row["get_quantity"],
        product_ids=tuple(row["product_ids"]),
        category_ids=tuple(row["category_ids"]),
        min_subtotal=money(row["min_subtotal"]),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        priority=row["priority"],
        exclusive=row["exclusive"],
    )
    return Promotion(
        id=row["id"],
        name=row["name"],
        terms=terms,
        automatic=row["automatic"],
        status=PromotionStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def coupon_to_row(c: Coupon) -> dict[str, Any]:
    return {
        "id": c.id,
        "promotion_id": c.promotion_id,
        "code": c.code,
        "usage_limit": c.usage_limit,
        "per_customer_limit": c.per_customer_limit,
        "uses": c.uses,
        "active": c.active,
        "created_at": c.created_at,
    }


def coupon_from_row(row: Mapping[Any, Any]) -> Coupon:
    return Coupon(**{name: row[name] for name in COUPON_FIELDS})


COUPON_FIELDS = (
    "id",
    "promotion_id",
    "code",
    "usage_limit",
    "per_customer_limit",
    "uses",
    "active",
    "created_at",
)
