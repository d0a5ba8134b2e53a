"""What gift card queries and commands return. The code appears in one view only, the answer
to issuing the card; every other view shows its last four characters."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from application.shared.views import view_of
from domain.gift_cards.gift_card import GiftCard
from domain.gift_cards.values import GiftCardStatus
from domain.shared.money import Money


@dataclass(frozen=True, kw_only=True)
class GiftCardDetails:
    """A card as staff see it; `version` is its ETag."""

    id: UUID
    last_four: str
    initial_value: Money
    balance: Money
    expires_at: datetime | None
    note: str | None
    recipient_email: str | None
    status: str
    issued_by: UUID
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, card: GiftCard) -> "GiftCardDetails":
        """Answer from the write side: the caller reads its own write."""
        return view_of(cls, card, status=card.status.value)


@dataclass(frozen=True, kw_only=True)
class IssuedGiftCard:
    """A new card and its code, in full, this once: the shop keeps only its digest."""

    gift_card: GiftCardDetails
    code: str


@dataclass(frozen=True, kw_only=True)
class GiftCardBalance:
    """What the holder of a code may learn: that card's balance, status and expiry."""

    last_four: str
    balance: Money
    status: str
    expires_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class GiftCardMovement:
    """One line of a card's ledger; `amount` is signed (debits are negative)."""

    kind: str
    amount: Decimal
    currency: str
    order_id: UUID | None
    reason: str | None
    actor_id: UUID | None
    recorded_at: datetime


@dataclass(frozen=True, kw_only=True)
class GiftCardHolding:
    """A card as checkout weighs it: what it holds, and whether it may pay."""

    id: UUID
    last_four: str
    balance: Money
    status: GiftCardStatus
    expires_at: datetime | None
