"""The shipping unit of work: methods and their tariffs with their events."""

from sqlalchemy.ext.asyncio import AsyncConnection

from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.store import EventStore
from infrastructure.shipping.repositories import SqlShippingMethodRepository


class SqlShippingUnitOfWork(SqlUnitOfWork):
    """Opened per command by the handler."""

    methods: SqlShippingMethodRepository

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.methods = SqlShippingMethodRepository(conn, self.seen)
