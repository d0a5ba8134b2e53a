"""The taxes unit of work: categories, rates and currency modes with their events."""

from sqlalchemy.ext.asyncio import AsyncConnection

from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.store import EventStore
from infrastructure.taxes.repositories import (
    SqlCurrencyModeRepository,
    SqlTaxCategoryRepository,
    SqlTaxRateRepository,
)


class SqlTaxesUnitOfWork(SqlUnitOfWork):
    """Opened per command by the handler."""

    categories: SqlTaxCategoryRepository
    rates: SqlTaxRateRepository
    modes: SqlCurrencyModeRepository

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.categories = SqlTaxCategoryRepository(conn, self.seen)
        self.rates = SqlTaxRateRepository(conn, self.seen)
        self.modes = SqlCurrencyModeRepository(conn, self.seen)
