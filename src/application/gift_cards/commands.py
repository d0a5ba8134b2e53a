"""Gift card commands: what staff do to cards, and what an order that did not go through asks."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.gift_cards.views import GiftCardDetails, IssuedGiftCard
from application.shared.bus import Command


@dataclass(frozen=True, kw_only=True)
class IssueGiftCard(Command[IssuedGiftCard]):
    """A new card with a value; the answer holds its code, never shown again."""

    amount: str
    currency: str
    expires_at: datetime | None = None
    note: str | None = None
    recipient_email: str | None = None
    actor_id: UUID
    # A known code instead of a fresh one: for the demo seed only (the API never sends one).
    code: str | None = None


@dataclass(frozen=True, kw_only=True)
class DisableGiftCard(Command[GiftCardDetails]):
    gift_card_id: UUID
    expected_version: int | None
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class EnableGiftCard(Command[GiftCardDetails]):
    gift_card_id: UUID
    expected_version: int | None
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class AdjustGiftCard(Command[GiftCardDetails]):
    """Top up (a positive amount) or take from the balance, with a reason."""

    gift_card_id: UUID
    amount: str
    reason: str
    expected_version: int | None
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class CreditBackOrder(Command[int]):
    """The order did not go through, or was refunded: what it took from each card goes back,
    once. Returns how many cards were credited (none, the second time)."""

    order_id: UUID
