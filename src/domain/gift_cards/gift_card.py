"""The GiftCard aggregate (state-stored, optimistic `version`): issued by staff with a value,
disabled and enabled, adjusted with a reason. Its balance moves only by ledger movements, each
written as one conditional update: the aggregate checks the rule, the database has the last
word (`balance >= 0`, ADR 0034)."""

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.gift_cards import events as ev
from domain.gift_cards.errors import AdjustmentBelowZero, InvalidGiftCard
from domain.gift_cards.values import (
    MAX_NOTE,
    MAX_REASON,
    GiftCardCode,
    GiftCardStatus,
    check_text,
    refusal,
)
from domain.shared.aggregate import AggregateRoot
from domain.shared.money import Money


class GiftCard(AggregateRoot):
    """Value the customer can spend at checkout. Only the digest of its code is kept."""

    stream_type = "gift-card"

    def __init__(
        self,
        *,
        id: UUID,
        code_digest: str,
        last_four: str,
        initial_value: Money,
        balance: Money,
        expires_at: datetime | None,
        note: str | None,
        recipient_email: str | None,
        status: GiftCardStatus,
        issued_by: UUID,
        created_at: datetime,
        updated_at: datetime,
        version: int,
    ) -> None:
        super().__init__()
        self.id, self.code_digest, self.last_four = id, code_digest, last_four
        self.initial_value, self.balance, self.expires_at = initial_value, balance, expires_at
        self.note, self.recipient_email, self.status = note, recipient_email, status
        self.issued_by, self.created_at, self.updated_at = issued_by, created_at, updated_at
        self.version = version

    # -- creation -------------------------------------------------------------------------

    @classmethod
    def issue(
        cls,
        *,
        id: UUID,
        code: GiftCardCode,
        value: Money,
        expires_at: datetime | None,
        note: str | None,
        recipient_email: str | None,
        by: UUID,
        now: datetime,
    ) -> "GiftCard":
        """A new active card holding `value`; the caller shows `code` once and forgets it."""
        if value.amount <= 0:
            raise InvalidGiftCard("a gift card is issued with a value above zero")
        if expires_at is not None and expires_at <= now:
            raise InvalidGiftCard("a gift card's expiry is in the future")
        card = cls(
            id=id,
            code_digest=code.digest,
            last_four=code.last_four,
            initial_value=value,
            balance=value,
            expires_at=expires_at,
            note=check_text(note, field="note", limit=MAX_NOTE),
            recipient_email=recipient_email,
            status=GiftCardStatus.ACTIVE,
            issued_by=by,
            created_at=now,
            updated_at=now,
            version=0,
        )
        card._record(
            ev.GiftCardIssued(
                occurred_at=now,
                gift_card_id=id,
                last_four=card.last_four,
                amount=value.amount,
                currency=value.currency,
                expires_at=expires_at,
                issued_by=by,
            )
        )
        return card

    # -- commands -------------------------------------------------------------------------

    def disable(self, *, by: UUID, now: datetime) -> None:
        """It can no longer pay; disabling it again changes nothing."""
        if self.status is GiftCardStatus.DISABLED:
            return
        self.status, self.updated_at = GiftCardStatus.DISABLED, now
        self._record(ev.GiftCardDisabled(occurred_at=now, gift_card_id=self.id, disabled_by=by))

    def enable(self, *, by: UUID, now: datetime) -> None:
        if self.status is GiftCardStatus.ACTIVE:
            return
        self.status, self.updated_at = GiftCardStatus.ACTIVE, now
        self._record(ev.GiftCardEnabled(occurred_at=now, gift_card_id=self.id, enabled_by=by))

    def adjust(self, amount: Decimal, *, reason: str, by: UUID, now: datetime) -> None:
        """Add to the balance (a top-up, amount > 0) or take from it (amount < 0), never below
        zero. The repository writes it relative to the stored balance."""
        why = check_text(reason, field="reason", limit=MAX_REASON)
        if why is None:
            raise InvalidGiftCard("an adjustment says why")
        if amount == 0:
            raise InvalidGiftCard("an adjustment changes the balance")
        change = Money.of(abs(amount), self.balance.currency)  # the currency's precision
        if amount < 0 and change > self.balance:
            raise AdjustmentBelowZero(
                f"the card holds {self.balance}; {change} cannot be taken from it"
            )
        new = self.balance.amount + amount
        self.balance, self.updated_at = Money.of(new, self.balance.currency), now
        self._record(
            ev.GiftCardAdjusted(
                occurred_at=now,
                gift_card_id=self.id,
                amount=amount,
                currency=self.balance.currency,
                reason=why,
                adjusted_by=by,
            )
        )

    # -- queries --------------------------------------------------------------------------

    def refusal(self, *, currency: str, now: datetime) -> str | None:
        """Why this card cannot pay in `currency` now, or None if it can."""
        return refusal(
            status=self.status,
            currency=self.balance.currency,
            expires_at=self.expires_at,
            wanted_currency=currency,
            now=now,
        )

    @property
    def stream_id(self) -> str:
        return f"gift-card-{self.id}"
