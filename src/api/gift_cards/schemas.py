"""Schemas of the gift card endpoints. Money is a decimal string and a currency; a card's code
appears in the answer to issuing it, and nowhere else."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import EmailStr, Field

from api.schemas import DecimalString, Instant, MoneyModel, RequestModel, ResponseModel, SafeStr
from domain.gift_cards.values import MAX_NOTE, MAX_REASON

# Up to three decimals: the currency's own precision is checked by the domain (EUR 2, JPY 0).
AmountInput = Annotated[SafeStr, Field(pattern=r"^\d{1,8}(\.\d{1,3})?$", examples=["50.00"])]
SignedAmountInput = Annotated[
    SafeStr, Field(pattern=r"^[-+]?\d{1,8}(\.\d{1,3})?$", examples=["25.00"])
]


class ValueInput(RequestModel):
    amount: AmountInput
    currency: SafeStr = Field(pattern=r"^[A-Za-z]{3}$", examples=["EUR"])


class NewGiftCard(RequestModel):
    """A card to issue; the shop makes its code and shows it once, in the answer."""

    value: ValueInput
    expires_at: Instant | None = Field(None, examples=["2027-12-31T23:59:59Z"])
    note: SafeStr | None = Field(None, max_length=MAX_NOTE, examples=["Raffle prize, stand 4"])
    recipient_email: EmailStr | None = Field(None, max_length=254, examples=["ada@example.com"])


class GiftCardResponse(ResponseModel):
    """A gift card as staff see it: the last four characters of its code, never the code.
    `version` is also sent as the ETag."""

    id: UUID
    last_four: str = Field(examples=["7KQ9"])
    initial_value: MoneyModel
    balance: MoneyModel
    expires_at: datetime | None
    note: str | None
    recipient_email: str | None
    status: str = Field(examples=["active"])
    issued_by: UUID
    created_at: datetime
    updated_at: datetime
    version: int


class IssuedGiftCardResponse(ResponseModel):
    """The new card and its code, shown this once: the shop keeps only a digest of it."""

    code: str = Field(examples=["ABCD-EFGH-JKLM-7KQ9"])
    gift_card: GiftCardResponse


class GiftCardPage(ResponseModel):
    """Gift cards, newest first; send `next_cursor` back as `cursor` for the next page."""

    items: list[GiftCardResponse]
    next_cursor: str | None


class Adjustment(RequestModel):
    """Add to the balance (a top-up) or take from it (negative), with a reason."""

    amount: SignedAmountInput
    reason: SafeStr = Field(min_length=3, max_length=MAX_REASON, examples=["goodwill top-up"])


class MovementResponse(ResponseModel):
    """One line of a card's ledger; debits are negative. The balance is the sum."""

    kind: str = Field(examples=["debit"])
    amount: DecimalString = Field(examples=["-10.00"])
    currency: str = Field(examples=["EUR"])
    order_id: UUID | None
    reason: str | None
    actor_id: UUID | None
    recorded_at: datetime


class MovementList(ResponseModel):
    """A card's ledger, newest first."""

    items: list[MovementResponse]


class BalanceCheck(RequestModel):
    """A code as printed on the card (dashes and spaces are ignored)."""

    code: SafeStr = Field(max_length=40, examples=["ABCD-EFGH-JKLM-7KQ9"])


class BalanceResponse(ResponseModel):
    """What the holder of a code learns: that card's balance, status and expiry."""

    last_four: str = Field(examples=["7KQ9"])
    balance: MoneyModel
    status: str = Field(examples=["active"])
    expires_at: datetime | None
