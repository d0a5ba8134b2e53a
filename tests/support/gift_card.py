"""A small event-sourced aggregate, and a unit of work for it, for tests of the event-sourcing
machinery itself (the shop's own event-sourced aggregate is the Order)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from domain.shared.aggregate import EventSourcedAggregate
from domain.shared.errors import DomainError
from domain.shared.events import DomainEvent
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.event_sourced import EventSourcedRepository
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import EventStore

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class InsufficientBalance(DomainError):
    """Redeeming more than the card holds."""


@dataclass(frozen=True, kw_only=True)
class GiftCardIssued(DomainEvent):
    """A card with a balance."""

    card_id: UUID
    amount: int


@dataclass(frozen=True, kw_only=True)
class GiftCardRedeemed(DomainEvent):
    """Part of the balance spent."""

    card_id: UUID
    amount: int


class GiftCard(EventSourcedAggregate):
    """A balance that only goes down, one event at a time."""

    stream_type = "gift-card"

    def __init__(self) -> None:
        super().__init__()
        self.card_id: UUID | None = None
        self.balance = 0

    @classmethod
    def issue(cls, card_id: UUID, amount: int) -> "GiftCard":
        card = cls()
        card._raise(GiftCardIssued(occurred_at=NOW, card_id=card_id, amount=amount))
        return card

    def redeem(self, amount: int) -> None:
        if amount > self.balance:
            raise InsufficientBalance(f"balance {self.balance} < {amount}")
        assert self.card_id is not None
        self._raise(GiftCardRedeemed(occurred_at=NOW, card_id=self.card_id, amount=amount))

    @property
    def stream_id(self) -> str:
        return f"gift-card-{self.card_id}"

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case GiftCardIssued(card_id=card_id, amount=amount):
                self.card_id, self.balance = card_id, amount
            case GiftCardRedeemed(amount=amount):
                self.balance -= amount


class GiftCards(SqlUnitOfWork):
    """A unit of work with one event-sourced repository, for the machinery's own tests."""

    cards: EventSourcedRepository[GiftCard]

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.cards = EventSourcedRepository(
            events, self._registry, self.seen, replay=GiftCard.replay
        )


def gift_card_registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register_all((GiftCardIssued, GiftCardRedeemed), context="billing")
    return registry
