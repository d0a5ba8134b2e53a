"""In-memory fakes of the promotions ports, for handler tests that run in milliseconds; held
to their ports by `tests/contracts/test_promotions_ports.py`."""

import copy
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from application.promotions.ports import (
    CouponRepository,
    PromotionRepository,
)
from application.shared.errors import ConcurrencyConflict
from domain.promotions.coupon import Coupon
from domain.promotions.errors import CouponCodeTaken
from domain.promotions.promotion import Promotion
from tests.support.fakes.shared import FakeStore, FakeUnitOfWork


@dataclass
class Store(FakeStore):
    """Promotions' tables."""

    promotions: dict[UUID, Promotion] = field(default_factory=dict)
    coupons: dict[UUID, Coupon] = field(default_factory=dict)


class FakePromotions(PromotionRepository):
    """The PromotionRepository port."""

    def __init__(self, uow: "FakePromotionsUnitOfWork") -> None:
        self._uow = uow
        self._written: set[UUID] = set()

    async def add(self, promotion: Promotion) -> None:
        self._uow.working.promotions[promotion.id] = copy.deepcopy(promotion)
        self._written.add(promotion.id)
        self._uow.seen(promotion)

    async def get(self, promotion_id: UUID) -> Promotion | None:
        found = self._uow.working.promotions.get(promotion_id)
        return None if found is None else self._uow.seen(copy.deepcopy(found))

    async def save(self, promotion: Promotion) -> None:
        # As the UPDATE's version check sees it: this transaction's own write, else the latest
        # committed row (a rival's commit since this one loaded the promotion included).
        written = promotion.id in self._written
        current = (self._uow.working if written else self._uow.committed_store).promotions
        if current[promotion.id].version != promotion.version:
            raise ConcurrencyConflict(f"promotion {promotion.id} was changed concurrently")
        promotion.version += 1
        self._uow.working.promotions[promotion.id] = copy.deepcopy(promotion)
        self._written.add(promotion.id)


class FakeCoupons(CouponRepository):
    """The CouponRepository port (releases are proven on PostgreSQL)."""

    def __init__(self, uow: "FakePromotionsUnitOfWork") -> None:
        self._uow = uow

    async def add(self, coupon: Coupon) -> None:
        if any(c.code == coupon.code for c in self._uow.working.coupons.values()):
            raise CouponCodeTaken(f"the code {coupon.code} is taken")
        self._uow.working.coupons[coupon.id] = copy.deepcopy(coupon)
        self._uow.seen(coupon)

    async def get(self, promotion_id: UUID, coupon_id: UUID) -> Coupon | None:
        found = self._uow.working.coupons.get(coupon_id)
        if found is None or found.promotion_id != promotion_id:
            return None
        return self._uow.seen(copy.deepcopy(found))

    async def save(self, coupon: Coupon) -> None:
        self._uow.working.coupons[coupon.id].active = coupon.active

    async def release(self, order_id: UUID, *, now: datetime) -> int:
        return 0


class FakePromotionsUnitOfWork(FakeUnitOfWork[Store]):
    """The PromotionsUnitOfWork port over a Store."""

    promotions: FakePromotions
    coupons: FakeCoupons

    def _open(self) -> None:
        self.promotions = FakePromotions(self)
        self.coupons = FakeCoupons(self)
