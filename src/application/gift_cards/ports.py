"""What gift card use cases need: cards and their ledger in one transaction, the read side, and
a limit on balance checks (a code is a bearer secret: guessing one must stay slow)."""

from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.gift_cards.views import GiftCardBalance, GiftCardDetails, GiftCardMovement
from application.shared.pagination import Page
from application.shared.unit_of_work import UnitOfWork
from domain.gift_cards.gift_card import GiftCard


class GiftCardRepository(Protocol):
    """Cards with optimistic concurrency on `version`; every balance movement is one relative,
    conditional update and one ledger row."""

    async def get(self, gift_card_id: UUID) -> GiftCard | None: ...

    async def add(self, card: GiftCard) -> None:
        """The card and its issue in the ledger."""

    async def save(self, card: GiftCard) -> None:
        """Its new events, each written relative to the stored row from the loaded version;
        ConcurrencyConflict if the card moved meanwhile (another change, or an order that
        spent what an adjustment would take)."""

    async def credit_back(self, order_id: UUID, *, now: datetime) -> int:
        """Give each card what the order took from it, unless given already; how many got
        something back."""


class GiftCardsUnitOfWork(UnitOfWork, Protocol):
    """One transaction over cards, their ledger and their events."""

    @property
    def cards(self) -> GiftCardRepository: ...


class GiftCardsUnitOfWorkFactory(Protocol):
    """Opens a fresh unit of work for each command."""

    def __call__(self) -> GiftCardsUnitOfWork: ...


class GiftCardReader(Protocol):
    """The read side: staff's list and details, a card's ledger, and a balance by code."""

    async def page(self, *, limit: int, cursor: str | None) -> Page[GiftCardDetails]:
        """Newest first, keyset-paginated."""

    async def details(self, gift_card_id: UUID) -> GiftCardDetails | None: ...

    async def movements(self, gift_card_id: UUID, *, limit: int) -> list[GiftCardMovement]:
        """Newest first."""

    async def balance(self, code_digest: str) -> GiftCardBalance | None: ...


class BalanceCheckThrottle(Protocol):
    """Counts balance checks per client address; `check` raises TooManyAttempts past the
    limit."""

    async def check(self, *, client_ip: str) -> None: ...
