"""Promotions on real PostgreSQL: what a cart may use now (in two statements at most), each
code's uses counted exactly under concurrency, per order once, and given back once when the
order does not go through."""

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from agora.contexts import promotions
from agora.contexts.promotions import PromotionsForOrdering
from application.ordering.ports import CouponExpired, CouponUsedUp, Promotions, UnknownCoupon
from application.promotions import commands as c
from application.promotions.deps import PromotionsDeps
from application.promotions.views import CouponView, PromotionView
from application.shared.bus import CommandBus
from domain.ordering.pricing.inputs import PromotionKind, PromotionRule
from infrastructure.db.engine import build_engine
from infrastructure.db.statements import counting_statements
from infrastructure.eventlog.store import StoredEvent
from infrastructure.promotions.subscribers import CouponUseReleaser
from infrastructure.promotions.tables import coupon_redemptions, coupons
from infrastructure.promotions.unit_of_work import SqlPromotionsUnitOfWork
from tests.support.eventlog import REGISTRY
from tests.support.fakes.shared import FixedClock

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
STAFF = uuid.uuid4()
KITCHEN = uuid.uuid4()


@pytest.fixture
def bus(engine: AsyncEngine) -> CommandBus:
    bus = CommandBus()
    deps = PromotionsDeps(
        uow=partial(SqlPromotionsUnitOfWork, engine, REGISTRY), clock=FixedClock(NOW)
    )
    promotions.register(bus, deps)
    return bus


async def a_promotion(bus: CommandBus, **terms: Any) -> PromotionView:
    spec: dict[str, Any] = {"name": "10 % off", "kind": "percentage", "target": "categories"}
    spec |= {"percent": Decimal(10), "category_ids": (KITCHEN,)} | terms
    return await bus.handle(c.CreatePromotion(spec=c.PromotionSpec(**spec), actor_id=STAFF))


async def a_coupon(
    bus: CommandBus, code: str, *, usage_limit: int | None = None, per_customer: int | None = None
) -> CouponView:
    promotion = await a_promotion(bus, name=f"{code} promotion")
    return await bus.handle(
        c.AddCoupon(
            promotion_id=promotion.id,
            code=code,
            usage_limit=usage_limit,
            per_customer_limit=per_customer,
            actor_id=STAFF,
        )
    )


def port(conn: AsyncConnection) -> Promotions:
    """The adapter, typed as ordering's port: mypy holds it to the Protocol."""
    return PromotionsForOrdering(conn)


async def applicable(
    engine: AsyncEngine,
    codes: Sequence[str] = (),
    *,
    customer_id: uuid.UUID | None = None,
    email: str | None = None,
    currency: str = "EUR",
) -> list[PromotionRule]:
    async with engine.connect() as conn:
        return await port(conn).applicable(
            currency=currency,
            coupon_codes=codes,
            customer_id=customer_id or uuid.uuid4(),
            email=email,
            now=NOW,
        )


async def redeem(
    engine: AsyncEngine,
    codes: Sequence[str],
    *,
    order_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    email: str | None = None,
    hold: float = 0,
) -> None:
    """Take the uses in a transaction of its own (its own connection), held open `hold`
    seconds after, as a checkout would while it writes the order."""
    async with engine.begin() as conn:
        await port(conn).redeem(
            codes,
            order_id=order_id or uuid.uuid4(),
            customer_id=customer_id or uuid.uuid4(),
            email=email,
            now=NOW,
        )
        await asyncio.sleep(hold)


async def uses(engine: AsyncEngine, coupon_id: uuid.UUID) -> int:
    async with engine.connect() as conn:
        found = await conn.scalar(select(coupons.c.uses).where(coupons.c.id == coupon_id))
    assert found is not None
    return int(found)


async def test_a_cart_gets_the_live_automatic_promotions_and_its_codes_in_two_statements(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    live = await a_promotion(bus, automatic=True, priority=5)
    await a_promotion(bus, automatic=True, starts_at=NOW + timedelta(days=1))
    await a_promotion(bus, automatic=True, ends_at=NOW)  # the end is exclusive
    ended = await a_promotion(bus, automatic=True)
    await bus.handle(c.EndPromotion(promotion_id=ended.id, expected_version=None, actor_id=STAFF))
    await a_promotion(
        bus,
        automatic=True,
        kind="fixed",
        percent=None,
        amount=Decimal(5),
        currency="USD",
    )
    await a_promotion(bus, name="coupon only")
    coupon = await a_coupon(bus, "SAVE5")

    with counting_statements() as without_codes:
        automatic = await applicable(engine)
    with counting_statements() as with_codes:
        rules = await applicable(engine, ["save5", "Save5"])

    assert [r.promotion_id for r in automatic] == [live.id]
    assert automatic[0].priority == 5
    assert automatic[0].coupon_code is None
    assert [(r.promotion_id, r.coupon_code) for r in rules] == [
        (live.id, None),
        (coupon.promotion_id, "SAVE5"),
    ]
    assert rules[1].kind is PromotionKind.PERCENTAGE
    assert rules[1].category_ids == (KITCHEN,)
    assert (without_codes.statements, with_codes.statements) == (1, 2)


async def test_a_code_that_is_unknown_disabled_out_of_its_window_or_used_up_is_refused(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    disabled = await a_coupon(bus, "GONE")
    await bus.handle(
        c.DisableCoupon(promotion_id=disabled.promotion_id, coupon_id=disabled.id, actor_id=STAFF)
    )
    late = await a_promotion(bus, ends_at=NOW - timedelta(hours=1))
    await bus.handle(
        c.AddCoupon(
            promotion_id=late.id,
            code="LATE",
            usage_limit=None,
            per_customer_limit=None,
            actor_id=STAFF,
        )
    )
    ended = await a_coupon(bus, "ENDED")
    await bus.handle(
        c.EndPromotion(promotion_id=ended.promotion_id, expected_version=None, actor_id=STAFF)
    )
    await a_coupon(bus, "ONCE", usage_limit=1)
    await redeem(engine, ["ONCE"])

    with pytest.raises(UnknownCoupon):
        await applicable(engine, ["NOPE"])
    with pytest.raises(UnknownCoupon):
        await applicable(engine, ["gone"])
    with pytest.raises(CouponExpired):
        await applicable(engine, ["LATE"])
    with pytest.raises(CouponExpired):
        await applicable(engine, ["ENDED"])
    with pytest.raises(CouponUsedUp):
        await applicable(engine, ["ONCE"])


async def test_a_customer_limit_counts_the_account_and_the_email(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    await a_coupon(bus, "WELCOME", per_customer=1)
    customer = uuid.uuid4()
    await redeem(engine, ["WELCOME"], customer_id=customer, email="Cleo@Example.com")

    with pytest.raises(CouponUsedUp):
        await applicable(engine, ["WELCOME"], customer_id=customer)
    with pytest.raises(CouponUsedUp):  # a guest with the same email is the same customer
        await applicable(engine, ["WELCOME"], email="cleo@example.com")
    with pytest.raises(CouponUsedUp):
        await redeem(engine, ["WELCOME"], customer_id=customer)
    assert len(await applicable(engine, ["WELCOME"], email="other@example.com")) == 1


async def test_an_order_takes_one_use_of_a_code_however_often_it_redeems(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    coupon = await a_coupon(bus, "TWICE", usage_limit=10)
    order_id, customer = uuid.uuid4(), uuid.uuid4()

    with counting_statements() as first:
        await redeem(engine, ["twice"], order_id=order_id, customer_id=customer)
    await redeem(engine, ["TWICE"], order_id=order_id, customer_id=customer)

    assert await uses(engine, coupon.id) == 1
    # The redeemed-already check; SAVEPOINT; per code the counter's update and the counted
    # insert; RELEASE.
    assert first.statements == 5


async def test_a_refused_code_takes_nothing_of_the_others(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    fine = await a_coupon(bus, "FINE")
    full = await a_coupon(bus, "FULL", usage_limit=1)
    await redeem(engine, ["FULL"])

    with pytest.raises(CouponUsedUp):
        await redeem(engine, ["FINE", "FULL"])

    assert (await uses(engine, fine.id), await uses(engine, full.id)) == (0, 1)


async def test_a_code_whose_promotion_ended_or_is_out_of_its_window_is_not_redeemed(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    ended = await a_coupon(bus, "STOPPED", usage_limit=10)
    assert len(await applicable(engine, ["STOPPED"])) == 1  # priced while still live
    await bus.handle(
        c.EndPromotion(promotion_id=ended.promotion_id, expected_version=None, actor_id=STAFF)
    )
    early = await a_promotion(bus, starts_at=NOW + timedelta(hours=1))
    await bus.handle(
        c.AddCoupon(
            promotion_id=early.id,
            code="EARLY",
            usage_limit=None,
            per_customer_limit=None,
            actor_id=STAFF,
        )
    )

    with pytest.raises(CouponExpired):
        await redeem(engine, ["STOPPED"])
    with pytest.raises(CouponExpired):
        await redeem(engine, ["EARLY"])
    assert await uses(engine, ended.id) == 0


def order_event(event_type: str, order_id: uuid.UUID, **payload: Any) -> StoredEvent:
    return StoredEvent(
        position=0,
        transaction_id=0,
        stream_type="order",
        stream_id=f"order-{order_id}",
        stream_version=1,
        event_id=uuid.uuid4(),
        event_type=event_type,
        schema_version=1,
        payload={"order_id": str(order_id)} | payload,
        metadata={},
        recorded_at=NOW,
    )


async def test_an_order_that_does_not_go_through_gives_its_uses_back_once(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    coupon = await a_coupon(bus, "BACK", usage_limit=10, per_customer=1)
    rejected, cancelled, refunded = (uuid.uuid4() for _ in range(3))
    customer = uuid.uuid4()
    await redeem(engine, ["BACK"], order_id=rejected)
    await redeem(engine, ["BACK"], order_id=cancelled, customer_id=customer)
    await redeem(engine, ["BACK"], order_id=refunded)
    releaser = CouponUseReleaser(bus)

    for _ in range(2):  # the log may deliver twice: the second time changes nothing
        for stored in [
            order_event("OrderStockRejected", rejected, reason="out of stock"),
            order_event("OrderCancelled", cancelled, after_payment=False),
            order_event("OrderCancelled", refunded, after_payment=True),
        ]:
            await releaser.react(stored)

    assert await uses(engine, coupon.id) == 1  # the refunded order keeps its use
    async with engine.connect() as conn:
        released = await conn.scalar(
            select(func.count()).where(coupon_redemptions.c.released_at.is_not(None))
        )
    assert released == 2
    # The customer whose order was cancelled may use the code again.
    assert len(await applicable(engine, ["BACK"], customer_id=customer)) == 1


async def race(engine: AsyncEngine, attempts: list[dict[str, Any]], code: str) -> int:
    """Every attempt in its own transaction on its own connection, started together; how
    many took a use."""
    start = asyncio.Event()

    async def attempt(kwargs: dict[str, Any]) -> bool:
        await start.wait()
        try:
            await redeem(engine, [code], hold=0.02, **kwargs)
        except CouponUsedUp:
            return False
        return True

    tasks = [asyncio.create_task(attempt(a)) for a in attempts]
    await asyncio.sleep(0.05)
    start.set()
    return sum(await asyncio.gather(*tasks))


@pytest.fixture
async def wide_engine(database_url: str) -> Any:
    engine = build_engine(database_url, pool_size=30)
    yield engine
    await engine.dispose()


async def test_a_code_limited_to_five_uses_is_used_exactly_five_times_by_thirty_customers(
    wide_engine: AsyncEngine, bus: CommandBus
) -> None:
    coupon = await a_coupon(bus, "FIVE", usage_limit=5)

    succeeded = await race(wide_engine, [{} for _ in range(30)], "FIVE")

    assert succeeded == 5
    assert await uses(wide_engine, coupon.id) == 5
    async with wide_engine.connect() as conn:
        rows = await conn.scalar(
            select(func.count()).where(coupon_redemptions.c.coupon_id == coupon.id)
        )
    assert rows == 5


async def test_one_customer_racing_for_a_once_per_customer_code_gets_it_once(
    wide_engine: AsyncEngine, bus: CommandBus
) -> None:
    coupon = await a_coupon(bus, "ONEEACH", per_customer=1)
    customer = uuid.uuid4()

    succeeded = await race(wide_engine, [{"customer_id": customer} for _ in range(15)], "ONEEACH")

    assert succeeded == 1
    assert await uses(wide_engine, coupon.id) == 1
