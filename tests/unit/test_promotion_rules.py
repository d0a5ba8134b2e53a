"""Promotions' rules in memory: terms the pipeline can apply, a promotion's life, coupon codes
and their limits, and the handlers' If-Match and refusals."""

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import pytest

from agora.contexts import promotions
from application.promotions import commands as c
from application.promotions.deps import PromotionsDeps
from application.shared.bus import CommandBus
from application.shared.errors import PreconditionFailed, PreconditionRequired
from domain.ordering import events as ordering_events
from domain.promotions import events as ev
from domain.promotions.coupon import Coupon
from domain.promotions.errors import (
    CouponCodeTaken,
    InvalidCoupon,
    InvalidPromotion,
    PromotionEnded,
)
from domain.promotions.promotion import Promotion
from domain.promotions.values import (
    CouponRefusal,
    PromotionKind,
    PromotionStatus,
    PromotionTarget,
    Terms,
    coupon_code,
)
from domain.shared.money import Money
from infrastructure.promotions.subscribers import RELEASED_BY, CouponUseReleaser
from tests.support.fakes.promotions import FakePromotionsUnitOfWork, Store
from tests.support.fakes.shared import FixedClock

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
STAFF = uuid.uuid4()
K, T = PromotionKind, PromotionTarget


def terms(**fields: Any) -> Terms:
    base: dict[str, Any] = {"kind": K.PERCENTAGE, "target": T.ORDER, "percent": Decimal(10)}
    return Terms(**(base | fields))


def a_promotion(*, automatic: bool = False, **fields: Any) -> Promotion:
    return Promotion.create(
        id=uuid.uuid4(),
        name="Spring",
        terms=terms(**fields),
        automatic=automatic,
        by=STAFF,
        now=NOW,
    )


def a_coupon(promotion: Promotion, **limits: Any) -> Coupon:
    fields = {"usage_limit": None, "per_customer_limit": None} | limits
    return Coupon.add(
        id=uuid.uuid4(), promotion=promotion, code="spring10", by=STAFF, now=NOW, **fields
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"percent": Decimal(0)},
        {"percent": Decimal(101)},
        {"percent": Decimal("10.555")},
        {"percent": None},
        {"kind": K.FIXED, "percent": None},  # a fixed promotion needs an amount
        {"kind": K.FIXED, "percent": None, "amount": Money.of("0", "EUR")},
        {"kind": K.FIXED, "amount": Money.of("5", "EUR")},  # and no percent
        {
            "kind": K.FIXED,
            "percent": None,
            "amount": Money.of(5, "EUR"),
            "min_subtotal": Money.of(50, "USD"),
        },
        {
            "kind": K.BUY_X_GET_Y,
            "target": T.PRODUCTS,
            "product_ids": (uuid.uuid4(),),
            "buy_quantity": 0,
            "get_quantity": 1,
        },
        {
            "kind": K.BUY_X_GET_Y,
            "target": T.PRODUCTS,
            "product_ids": (uuid.uuid4(),),
            "buy_quantity": 2,
            "get_quantity": 0,
        },
        {"kind": K.BUY_X_GET_Y, "buy_quantity": 2, "get_quantity": 1},  # not on the order
        {"buy_quantity": 2},
        {
            "kind": K.FREE_SHIPPING,
            "percent": None,
            "target": T.CATEGORIES,
            "category_ids": (uuid.uuid4(),),
        },
        {"target": T.PRODUCTS},  # no products listed
        {"target": T.CATEGORIES},
        {"target": T.ORDER, "product_ids": (uuid.uuid4(),)},
        {"target": T.PRODUCTS, "product_ids": (uuid.UUID(int=1), uuid.UUID(int=1))},
        {"starts_at": NOW, "ends_at": NOW},
        {"starts_at": NOW.replace(tzinfo=None)},
        {"priority": 1001},
    ],
)
def test_terms_the_pipeline_could_not_apply_are_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidPromotion):
        terms(**fields)


def test_every_kind_has_terms_it_accepts() -> None:
    product = (uuid.uuid4(),)
    accepted = [
        terms(),
        terms(
            kind=K.FIXED, percent=None, amount=Money.of(5, "EUR"), min_subtotal=Money.of(50, "EUR")
        ),
        terms(
            kind=K.BUY_X_GET_Y,
            target=T.PRODUCTS,
            product_ids=product,
            buy_quantity=2,
            get_quantity=1,
            percent=Decimal(100),
        ),
        terms(kind=K.FREE_SHIPPING, percent=None, min_subtotal=Money.of(40, "EUR")),
        terms(starts_at=NOW, ends_at=NOW + timedelta(days=1), priority=-5, exclusive=True),
    ]
    assert [t.currency for t in accepted] == [None, "EUR", None, "EUR", None]


def test_a_window_includes_its_start_and_excludes_its_end() -> None:
    window = terms(starts_at=NOW, ends_at=NOW + timedelta(hours=1))
    assert window.live_at(NOW)
    assert not window.live_at(NOW - timedelta(seconds=1))
    assert not window.live_at(NOW + timedelta(hours=1))


def test_a_promotion_records_its_life_and_ends_once() -> None:
    promotion = a_promotion()
    promotion.change(
        name=" Summer ", terms=terms(percent=Decimal(15)), automatic=True, by=STAFF, now=NOW
    )
    promotion.end(by=STAFF, now=NOW)
    promotion.end(by=STAFF, now=NOW)

    assert [type(e) for e in promotion.collect_events()] == [
        ev.PromotionCreated,
        ev.PromotionChanged,
        ev.PromotionEnded,
    ]
    assert (promotion.name, promotion.status) == ("Summer", PromotionStatus.ENDED)
    assert not promotion.live_at(NOW)
    with pytest.raises(PromotionEnded):
        promotion.change(name="Again", terms=terms(), automatic=False, by=STAFF, now=NOW)


@pytest.mark.parametrize("raw", ["ab", "with space", "x" * 41, "ÄPFEL10", ""])
def test_a_code_of_another_shape_is_refused(raw: str) -> None:
    with pytest.raises(InvalidCoupon):
        coupon_code(raw)


def test_codes_are_kept_in_upper_case() -> None:
    assert coupon_code("  welcome-10 ") == "WELCOME-10"


def test_a_coupon_belongs_to_a_live_coupon_only_promotion_with_limits_of_one_or_more() -> None:
    with pytest.raises(InvalidCoupon):
        a_coupon(a_promotion(automatic=True))
    with pytest.raises(InvalidCoupon):
        a_coupon(a_promotion(), usage_limit=0)
    ended = a_promotion()
    ended.end(by=STAFF, now=NOW)
    with pytest.raises(PromotionEnded):
        a_coupon(ended)
    assert a_coupon(a_promotion()).code == "SPRING10"


def test_a_coupon_says_why_it_cannot_be_used() -> None:
    promotion = a_promotion(ends_at=NOW + timedelta(days=1))
    coupon = a_coupon(promotion, usage_limit=2, per_customer_limit=1)
    assert coupon.refusal(promotion, now=NOW, customer_uses=0) is None
    assert coupon.refusal(promotion, now=NOW, customer_uses=1) is CouponRefusal.USED_UP
    assert coupon.refusal(promotion, now=NOW + timedelta(days=1), customer_uses=0) is (
        CouponRefusal.EXPIRED
    )
    coupon.uses = 2
    assert coupon.refusal(promotion, now=NOW, customer_uses=0) is CouponRefusal.USED_UP
    coupon.disable(by=STAFF, now=NOW)
    coupon.disable(by=STAFF, now=NOW)
    assert coupon.refusal(promotion, now=NOW, customer_uses=0) is CouponRefusal.UNKNOWN
    assert [type(e) for e in coupon.collect_events()] == [ev.CouponAdded, ev.CouponDisabled]


@pytest.fixture
def bus() -> CommandBus:
    bus = CommandBus()
    store = Store()
    promotions.register(
        bus, PromotionsDeps(uow=partial(FakePromotionsUnitOfWork, store), clock=FixedClock(NOW))
    )
    return bus


SPEC = c.PromotionSpec(name="Spring", kind="percentage", target="order", percent=Decimal(10))


async def test_changing_a_promotion_needs_its_current_version(bus: CommandBus) -> None:
    created = await bus.handle(c.CreatePromotion(spec=SPEC, actor_id=STAFF))

    def change(version: int | None) -> c.ChangePromotion:
        return c.ChangePromotion(
            promotion_id=created.id, spec=SPEC, expected_version=version, actor_id=STAFF
        )

    with pytest.raises(PreconditionRequired):
        await bus.handle(change(None))
    changed = await bus.handle(change(created.version))
    with pytest.raises(PreconditionFailed):
        await bus.handle(change(created.version))
    assert changed.version == created.version + 1


async def test_staff_terms_in_a_currency_become_money_and_unknown_kinds_are_refused(
    bus: CommandBus,
) -> None:
    fixed = c.PromotionSpec(
        name="Five off", kind="fixed", target="order", amount=Decimal(5), currency="eur"
    )
    view = await bus.handle(c.CreatePromotion(spec=fixed, actor_id=STAFF))
    assert view.amount == Money.of(5, "EUR")
    for spec in (
        c.PromotionSpec(name="x", kind="half_price", target="order"),
        c.PromotionSpec(name="x", kind="fixed", target="order", amount=Decimal(5)),
    ):
        with pytest.raises(InvalidPromotion):
            await bus.handle(c.CreatePromotion(spec=spec, actor_id=STAFF))


async def test_a_code_is_taken_once_whatever_its_case(bus: CommandBus) -> None:
    promotion = await bus.handle(c.CreatePromotion(spec=SPEC, actor_id=STAFF))

    def add(code: str) -> c.AddCoupon:
        return c.AddCoupon(
            promotion_id=promotion.id,
            code=code,
            usage_limit=None,
            per_customer_limit=None,
            actor_id=STAFF,
        )

    await bus.handle(add("Spring10"))
    with pytest.raises(CouponCodeTaken):
        await bus.handle(add("SPRING10"))


def test_the_releaser_names_ordering_events_as_they_are_published() -> None:
    published = {cls.__name__: cls for cls in ordering_events.EVENTS}
    assert set(RELEASED_BY) <= set(published)
    assert set(CouponUseReleaser.interest.event_types or ()) == set(RELEASED_BY)
    cancelled = {f.name for f in dataclasses.fields(ordering_events.OrderCancelled)}
    assert {"order_id", "after_payment"} <= cancelled
