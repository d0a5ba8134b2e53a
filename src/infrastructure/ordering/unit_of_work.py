"""The ordering unit of work: orders, carts, payment tokens, deadlines and idempotency keys in one
transaction (checkout places the order and empties the cart together), the catalog and the
fulfilment backlog read in it."""

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.ordering.ports import Catalog
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore
from infrastructure.ordering.repositories import (
    BacklogCount,
    SqlCartRepository,
    SqlFulfilmentBacklog,
    SqlIdempotencyKeys,
    SqlOrderRepository,
    SqlPaymentDeadlines,
    SqlPaymentMethods,
)

CatalogOn = Callable[[AsyncConnection], Catalog]  # the catalog's prices on this connection


class SqlOrderingUnitOfWork(SqlUnitOfWork):
    """Opened per command by the handler; orders' events are appended at commit."""

    orders: SqlOrderRepository
    carts: SqlCartRepository
    catalog: Catalog
    payment_methods: SqlPaymentMethods
    deadlines: SqlPaymentDeadlines
    idempotency: SqlIdempotencyKeys
    backlog: SqlFulfilmentBacklog

    def __init__(
        self,
        engine: AsyncEngine,
        registry: EventRegistry,
        catalog: CatalogOn,
        backlog: BacklogCount,
    ) -> None:
        super().__init__(engine, registry)
        self._catalog_on = catalog
        self._backlog = backlog

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.orders = SqlOrderRepository(events, self._registry, self.seen)
        self.carts = SqlCartRepository(conn)
        self.catalog = self._catalog_on(conn)
        self.payment_methods = SqlPaymentMethods(conn)
        self.deadlines = SqlPaymentDeadlines(conn)
        self.idempotency = SqlIdempotencyKeys(conn)
        self.backlog = SqlFulfilmentBacklog(conn, self._backlog)
