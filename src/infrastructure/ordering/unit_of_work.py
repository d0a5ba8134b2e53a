"""The ordering unit of work: orders, carts, payment tokens, deadlines, idempotency keys and
guest orders' access in one transaction (checkout places the order and empties the cart
together), the other contexts' prices and rules read, and coupons and gift cards spent, in it."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.ordering.ports import (
    AddressBook,
    Catalog,
    GiftCards,
    Promotions,
    ShippingOptions,
    TaxRates,
)
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore
from infrastructure.ordering.repositories import (
    BacklogCount,
    SqlCartRepository,
    SqlFulfilmentBacklog,
    SqlIdempotencyKeys,
    SqlOrderAccess,
    SqlOrderRepository,
    SqlPaymentDeadlines,
    SqlPaymentMethods,
    SqlReturnRepository,
)
from infrastructure.ordering.tables import order_capture_deadlines, order_refund_deadlines

CatalogOn = Callable[[AsyncConnection], Catalog]  # the catalog's prices on this connection


@dataclass(frozen=True, kw_only=True)
class Neighbours:
    """The other contexts' adapters of ordering's ports, each built on ordering's connection
    (the composition root provides them), so checkout reads and spends in one transaction."""

    catalog: CatalogOn
    taxes: Callable[[AsyncConnection], TaxRates]
    shipping: Callable[[AsyncConnection], ShippingOptions]
    promotions: Callable[[AsyncConnection], Promotions]
    gift_cards: Callable[[AsyncConnection], GiftCards]
    addresses: Callable[[AsyncConnection], AddressBook]


class SqlOrderingUnitOfWork(SqlUnitOfWork):
    """Opened per command by the handler; orders' events are appended at commit."""

    orders: SqlOrderRepository
    returns: SqlReturnRepository
    carts: SqlCartRepository
    catalog: Catalog
    taxes: TaxRates
    shipping: ShippingOptions
    promotions: Promotions
    gift_cards: GiftCards
    addresses: AddressBook
    access: SqlOrderAccess
    payment_methods: SqlPaymentMethods
    deadlines: SqlPaymentDeadlines
    idempotency: SqlIdempotencyKeys
    backlog: SqlFulfilmentBacklog
    captures: SqlPaymentDeadlines
    pending_refunds: SqlPaymentDeadlines

    def __init__(
        self,
        engine: AsyncEngine,
        registry: EventRegistry,
        neighbours: Neighbours,
        backlog: BacklogCount,
    ) -> None:
        super().__init__(engine, registry)
        self._neighbours = neighbours
        self._backlog = backlog

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        n = self._neighbours
        self.orders = SqlOrderRepository(events, self._registry, self.seen)
        self.returns = SqlReturnRepository(conn, events, self._registry, self.seen)
        self.carts = SqlCartRepository(conn)
        self.catalog = n.catalog(conn)
        self.taxes = n.taxes(conn)
        self.shipping = n.shipping(conn)
        self.promotions = n.promotions(conn)
        self.gift_cards = n.gift_cards(conn)
        self.addresses = n.addresses(conn)
        self.access = SqlOrderAccess(conn)
        self.payment_methods = SqlPaymentMethods(conn)
        self.deadlines = SqlPaymentDeadlines(conn)
        self.idempotency = SqlIdempotencyKeys(conn)
        self.backlog = SqlFulfilmentBacklog(conn, self._backlog)
        self.captures = SqlPaymentDeadlines(conn, order_capture_deadlines)
        self.pending_refunds = SqlPaymentDeadlines(conn, order_refund_deadlines)
