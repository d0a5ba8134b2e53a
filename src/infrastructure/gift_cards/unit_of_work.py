"""The gift cards unit of work: cards, their ledger and their events in one transaction."""

from sqlalchemy.ext.asyncio import AsyncConnection

from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.store import EventStore
from infrastructure.gift_cards.repositories import SqlGiftCardRepository


class SqlGiftCardsUnitOfWork(SqlUnitOfWork):
    """Opened per command by the handler."""

    cards: SqlGiftCardRepository

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.cards = SqlGiftCardRepository(conn, self.seen)
