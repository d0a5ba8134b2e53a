"""Values of gift cards: the code a customer types (random, shown once, kept only as a digest),
a card's status, the kinds of movement its ledger records, and when a card can pay."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.gift_cards.errors import InvalidGiftCard

# No 0/O and no 1/I: a code is read off paper and typed by hand. 32 symbols, 5 bits each.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16  # 80 random bits: beyond guessing, online or offline
GROUP = 4
MAX_NOTE = 500
MAX_REASON = 500


class GiftCardStatus(StrEnum):
    """Staff can disable a card (lost, sold by mistake) and enable it again."""

    ACTIVE = "active"
    DISABLED = "disabled"


class MovementKind(StrEnum):
    """Each line of a card's ledger; the balance is their sum."""

    ISSUE = "issue"
    DEBIT = "debit"  # an order took it
    CREDIT_BACK = "credit_back"  # the order did not go through, or was refunded
    ADJUST = "adjust"  # staff, with a reason


@dataclass(frozen=True)
class GiftCardCode:
    """A code as the customer types it, normalised (upper case, no spaces or dashes)."""

    value: str

    @classmethod
    def new(cls) -> "GiftCardCode":
        """A fresh code from the operating system's cryptographic random source."""
        return cls("".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH)))

    @classmethod
    def parse(cls, raw: str) -> "GiftCardCode | None":
        """The code, or None if `raw` cannot be one (so it is not looked up at all)."""
        value = "".join(raw.split()).replace("-", "").upper()
        if len(value) != CODE_LENGTH or any(ch not in ALPHABET for ch in value):
            return None
        return cls(value)

    @property
    def digest(self) -> str:
        """What the shop stores: SHA-256 of the code. 80 random bits need no salt or slow hash:
        there is nothing to try a dictionary of (ADR 0034)."""
        return hashlib.sha256(self.value.encode()).hexdigest()

    @property
    def last_four(self) -> str:
        return self.value[-GROUP:]

    @property
    def display(self) -> str:
        """In groups of four, as printed on the card: `ABCD-EFGH-JKMN-PQRS`."""
        return "-".join(self.value[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def refusal(
    *,
    status: GiftCardStatus,
    currency: str,
    expires_at: datetime | None,
    wanted_currency: str,
    now: datetime,
) -> str | None:
    """Why a card cannot pay in `wanted_currency` at `now`, or None if it can."""
    if status is not GiftCardStatus.ACTIVE:
        return "is disabled"
    if expires_at is not None and expires_at <= now:
        return "has expired"
    if currency != wanted_currency:
        return f"is in {currency}, not {wanted_currency}"
    return None


def check_text(value: str | None, *, field: str, limit: int) -> str | None:
    """Trimmed, None when empty; InvalidGiftCard when longer than `limit`."""
    if value is None or not value.strip():
        return None
    if len(value.strip()) > limit:
        raise InvalidGiftCard(f"a {field} has at most {limit} characters")
    return value.strip()
