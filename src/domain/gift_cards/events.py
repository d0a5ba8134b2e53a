"""What happens to gift cards by staff decision. Neither the code nor its digest appears here,
nor the recipient's address: the log is published. Movements for orders (debits and credits
back) are rows of the card's ledger, caused by the order's own events (ADR 0034)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class GiftCardEvent(DomainEvent):
    """Base of a card's events; each belongs to the stream of one card."""

    gift_card_id: UUID


@dataclass(frozen=True, kw_only=True)
class GiftCardIssued(GiftCardEvent):
    """Staff issued a card with a value; `last_four` is all of its code anyone sees again."""

    last_four: str
    amount: Decimal
    currency: str
    expires_at: datetime | None
    issued_by: UUID


@dataclass(frozen=True, kw_only=True)
class GiftCardDisabled(GiftCardEvent):
    """The card can no longer pay; its balance stays."""

    disabled_by: UUID


@dataclass(frozen=True, kw_only=True)
class GiftCardEnabled(GiftCardEvent):
    """A disabled card can pay again."""

    enabled_by: UUID


@dataclass(frozen=True, kw_only=True)
class GiftCardAdjusted(GiftCardEvent):
    """Staff added to the balance (a top-up) or took from it, and said why."""

    amount: Decimal  # signed: negative takes from the card
    currency: str
    reason: str
    adjusted_by: UUID


EVENTS: tuple[type[DomainEvent], ...] = (
    GiftCardIssued,
    GiftCardDisabled,
    GiftCardEnabled,
    GiftCardAdjusted,
)
