"""The inventory unit of work: stock items, reservations and the ledger in one transaction, with
the stock items' events (the log is their outbox)."""

from sqlalchemy.ext.asyncio import AsyncConnection

from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.store import EventStore
from infrastructure.inventory.locations import SqlLocationRepository
from infrastructure.inventory.repositories import SqlStockRepository


class SqlInventoryUnitOfWork(SqlUnitOfWork):
    """Opened per command by the handler."""

    stock: SqlStockRepository
    locations: SqlLocationRepository

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.stock = SqlStockRepository(conn, events, self.seen)
        self.locations = SqlLocationRepository(conn, self.seen)
