"""The ordering unit of work: order streams, carts, payment tokens and idempotency keys in
one transaction (checkout creates the order and empties the cart together)."""

from sqlalchemy.ext.asyncio import AsyncConnection

from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.store import EventStore
from infrastructure.ordering.repositories import (
    SqlCartRepository,
    SqlCatalog,
    SqlIdempotencyKeys,
    SqlOrderRepository,
    SqlPaymentMethods,
)


class SqlOrderingUnitOfWork(SqlUnitOfWork):
    """Order events are appended by the repository as it saves; nothing waits for commit."""

    orders: SqlOrderRepository
    carts: SqlCartRepository
    catalog: SqlCatalog
    payment_methods: SqlPaymentMethods
    idempotency: SqlIdempotencyKeys

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.orders = SqlOrderRepository(events, self._registry)
        self.carts = SqlCartRepository(conn)
        self.catalog = SqlCatalog(conn)
        self.payment_methods = SqlPaymentMethods(conn)
        self.idempotency = SqlIdempotencyKeys(conn)

    async def _publish(self, events: EventStore) -> None:
        return None
