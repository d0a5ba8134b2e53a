"""The notifications unit of work: subscriptions (with their events), deliveries and mail."""

from sqlalchemy.ext.asyncio import AsyncConnection

from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.store import EventStore
from infrastructure.notifications.repositories import (
    SqlDeliveryRepository,
    SqlMailRepository,
    SqlSubscriptionRepository,
)


class SqlNotificationsUnitOfWork(SqlUnitOfWork):
    """Opened per command by the handler."""

    subscriptions: SqlSubscriptionRepository
    deliveries: SqlDeliveryRepository
    mail: SqlMailRepository

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.subscriptions = SqlSubscriptionRepository(conn, self.seen)
        self.deliveries = SqlDeliveryRepository(conn)
        self.mail = SqlMailRepository(conn)
