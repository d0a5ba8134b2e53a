"""The promotions unit of work: promotions and coupons, with their events, in one transaction."""

from sqlalchemy.ext.asyncio import AsyncConnection

from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.store import EventStore
from infrastructure.promotions.repositories import SqlCouponRepository, SqlPromotionRepository


class SqlPromotionsUnitOfWork(SqlUnitOfWork):
    """Opened per command by the handler."""

    promotions: SqlPromotionRepository
    coupons: SqlCouponRepository

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.promotions = SqlPromotionRepository(conn, self.seen)
        self.coupons = SqlCouponRepository(conn, self.seen)
