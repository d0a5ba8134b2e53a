"""Promotions' unit of work and repositories: the in-memory fakes and the PostgreSQL adapters
keep the same promises (round trips, nothing stored uncommitted, a stale save is a conflict,
one coupon per code whatever its case, saving a coupon changes only whether it is active)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from application.promotions.ports import PromotionsUnitOfWorkFactory
from application.shared.errors import ConcurrencyConflict
from domain.promotions.coupon import Coupon
from domain.promotions.errors import CouponCodeTaken
from domain.promotions.promotion import Promotion
from domain.promotions.values import PromotionKind, PromotionTarget, Terms
from domain.shared.money import Money
from infrastructure.promotions.unit_of_work import SqlPromotionsUnitOfWork
from tests.support.eventlog import REGISTRY
from tests.support.fakes.promotions import FakePromotionsUnitOfWork, Store

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
STAFF = uuid.uuid4()


@pytest.fixture(params=["memory", "postgres"])
def new_uow(request: pytest.FixtureRequest) -> PromotionsUnitOfWorkFactory:
    if request.param == "memory":
        store = Store()
        return lambda: FakePromotionsUnitOfWork(store)
    engine: AsyncEngine = request.getfixturevalue("engine")
    return lambda: SqlPromotionsUnitOfWork(engine, REGISTRY)


def a_promotion() -> Promotion:
    terms = Terms(
        kind=PromotionKind.FIXED,
        target=PromotionTarget.PRODUCTS,
        amount=Money.of("5.00", "EUR"),
        product_ids=(uuid.uuid4(), uuid.uuid4()),
        min_subtotal=Money.of("40.00", "EUR"),
        starts_at=NOW,
        ends_at=NOW + timedelta(days=7),
        priority=7,
        exclusive=True,
    )
    return Promotion.create(
        id=uuid.uuid4(), name="Five off", terms=terms, automatic=False, by=STAFF, now=NOW
    )


def a_coupon(promotion: Promotion, code: str = "FIVE") -> Coupon:
    return Coupon.add(
        id=uuid.uuid4(),
        promotion=promotion,
        code=code,
        usage_limit=100,
        per_customer_limit=1,
        by=STAFF,
        now=NOW,
    )


async def stored(new_uow: PromotionsUnitOfWorkFactory, promotion: Promotion) -> None:
    async with new_uow() as uow:
        await uow.promotions.add(promotion)
        await uow.commit()


async def test_a_promotion_and_its_coupon_round_trip(new_uow: PromotionsUnitOfWorkFactory) -> None:
    promotion = a_promotion()
    coupon = a_coupon(promotion)
    async with new_uow() as uow:
        await uow.promotions.add(promotion)
        await uow.coupons.add(coupon)
        await uow.commit()
    async with new_uow() as uow:
        loaded = await uow.promotions.get(promotion.id)
        loaded_coupon = await uow.coupons.get(promotion.id, coupon.id)
        assert await uow.coupons.get(uuid.uuid4(), coupon.id) is None
    assert loaded is not None
    assert loaded_coupon is not None
    assert loaded.terms == promotion.terms
    assert (loaded.name, loaded.status, loaded.version) == ("Five off", promotion.status, 0)
    assert vars(loaded_coupon) | {"_pending_events": []} == vars(coupon) | {"_pending_events": []}


async def test_nothing_is_stored_unless_committed(new_uow: PromotionsUnitOfWorkFactory) -> None:
    promotion = a_promotion()
    async with new_uow() as uow:
        await uow.promotions.add(promotion)
    async with new_uow() as uow:
        assert await uow.promotions.get(promotion.id) is None


async def test_a_save_from_a_stale_version_is_a_conflict(
    new_uow: PromotionsUnitOfWorkFactory,
) -> None:
    promotion = a_promotion()
    await stored(new_uow, promotion)
    async with new_uow() as first, new_uow() as second:
        mine = await first.promotions.get(promotion.id)
        theirs = await second.promotions.get(promotion.id)
        assert mine is not None
        assert theirs is not None
        mine.end(by=STAFF, now=NOW)
        await first.promotions.save(mine)
        await first.commit()
        theirs.change(name="Six off", terms=theirs.terms, automatic=False, by=STAFF, now=NOW)
        with pytest.raises(ConcurrencyConflict):
            await second.promotions.save(theirs)


async def test_a_code_is_one_coupon_whatever_its_case(
    new_uow: PromotionsUnitOfWorkFactory,
) -> None:
    promotion = a_promotion()
    await stored(new_uow, promotion)
    async with new_uow() as uow:
        await uow.coupons.add(a_coupon(promotion, "spring"))
        await uow.commit()
    async with new_uow() as uow:
        with pytest.raises(CouponCodeTaken):
            await uow.coupons.add(a_coupon(promotion, "SPRING"))


async def test_saving_a_coupon_changes_whether_it_is_active_only(
    new_uow: PromotionsUnitOfWorkFactory,
) -> None:
    promotion = a_promotion()
    coupon = a_coupon(promotion)
    async with new_uow() as uow:
        await uow.promotions.add(promotion)
        await uow.coupons.add(coupon)
        await uow.commit()
    async with new_uow() as uow:
        loaded = await uow.coupons.get(promotion.id, coupon.id)
        assert loaded is not None
        loaded.disable(by=STAFF, now=NOW)
        loaded.uses = 99  # never written from a loaded coupon: only redemptions move it
        await uow.coupons.save(loaded)
        await uow.commit()
    async with new_uow() as uow:
        again = await uow.coupons.get(promotion.id, coupon.id)
    assert again is not None
    assert (again.active, again.uses) == (False, 0)
    assert again.usage_limit == 100
