"""In-memory gift cards for handler tests: the GiftCardRepository port over a dict and a ledger
list, keeping the adapter's promises (a stale save is a conflict, a credit back happens once)."""

import copy
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from application.gift_cards.ports import GiftCardRepository
from application.shared.errors import ConcurrencyConflict
from domain.gift_cards import events as ev
from domain.gift_cards.gift_card import GiftCard
from domain.shared.money import Money
from tests.support.fakes.shared import FakeStore, FakeUnitOfWork


@dataclass(frozen=True)
class Movement:
    """A ledger row: card, kind, signed amount, order."""

    gift_card_id: UUID
    kind: str
    amount: Decimal
    order_id: UUID | None = None


@dataclass
class Store(FakeStore):
    """Gift cards' tables."""

    cards: dict[UUID, GiftCard] = field(default_factory=dict)
    movements: list[Movement] = field(default_factory=list)


class FakeGiftCards(GiftCardRepository):
    """The GiftCardRepository port."""

    def __init__(self, store: Store, uow: "FakeGiftCardsUnitOfWork") -> None:
        self.store = store
        self._uow = uow

    async def get(self, gift_card_id: UUID) -> GiftCard | None:
        card = self.store.cards.get(gift_card_id)
        return None if card is None else self._uow.seen(copy.deepcopy(card))

    async def add(self, card: GiftCard) -> None:
        self.store.cards[card.id] = _stored(card)
        self.store.movements.append(Movement(card.id, "issue", card.initial_value.amount))
        self._uow.seen(card)

    async def save(self, card: GiftCard) -> None:
        stored = self.store.cards[card.id]
        if stored.version != card.version:
            raise ConcurrencyConflict(f"gift card {card.id} was changed concurrently")
        for event in card.pending_events:
            if isinstance(event, ev.GiftCardAdjusted):
                self.store.movements.append(Movement(card.id, "adjust", event.amount))
        card.version += len(card.pending_events)
        self.store.cards[card.id] = _stored(card)

    async def credit_back(self, order_id: UUID, *, now: datetime) -> int:
        done = {(m.gift_card_id, m.kind) for m in self.store.movements if m.order_id == order_id}
        credited = 0
        for m in [m for m in self.store.movements if m.order_id == order_id]:
            if m.kind == "debit" and (m.gift_card_id, "credit_back") not in done:
                card = self.store.cards[m.gift_card_id]
                card.balance = Money.of(card.balance.amount - m.amount, card.balance.currency)
                card.version += 1
                self.store.movements.append(
                    Movement(m.gift_card_id, "credit_back", -m.amount, order_id)
                )
                credited += 1
        return credited


def _stored(card: GiftCard) -> GiftCard:
    """A copy as a table row holds it: state, no pending events."""
    row = copy.deepcopy(card)
    row.collect_events()
    return row


class FakeGiftCardsUnitOfWork(FakeUnitOfWork[Store]):
    """The GiftCardsUnitOfWork port over a Store."""

    cards: FakeGiftCards

    def _open(self) -> None:
        self.cards = FakeGiftCards(self.working, self)
