"""A small event-sourced aggregate for tests of the event-sourcing machinery (the shop's own
event-sourced aggregate, the Order, arrives with the ordering context)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.shared.aggregate import EventSourcedAggregate
from domain.shared.errors import DomainError
from domain.shared.events import DomainEvent

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class InsufficientBalance(DomainError):
    """Redeeming more than the card holds."""


@dataclass(frozen=True, kw_only=True)
class GiftCardIssued(DomainEvent):
    card_id: UUID
    amount: int


@dataclass(frozen=True, kw_only=True)
class GiftCardRedeemed(DomainEvent):
    card_id: UUID
    amount: int


class GiftCard(EventSourcedAggregate):
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
