"""Handlers of gift cards: each opens a unit of work, changes a card through its methods and
commits; its events reach the log with it. Crediting an order back needs no card loaded: it is
one statement over the ledger, safe to repeat."""

import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from uuid import UUID

from application.gift_cards import commands as c
from application.gift_cards.deps import GiftCardsDeps
from application.gift_cards.ports import GiftCardsUnitOfWork
from application.gift_cards.views import GiftCardDetails, IssuedGiftCard
from application.shared.versions import check_version
from domain.gift_cards.errors import GiftCardNotFound, InvalidGiftCard
from domain.gift_cards.gift_card import GiftCard
from domain.gift_cards.values import GiftCardCode
from domain.shared.money import Money


async def issue_gift_card(cmd: c.IssueGiftCard, deps: GiftCardsDeps) -> IssuedGiftCard:
    code = GiftCardCode.new() if cmd.code is None else GiftCardCode.parse(cmd.code)
    if code is None:
        raise InvalidGiftCard("that is not a gift card code")
    async with deps.uow() as uow:
        card = GiftCard.issue(
            id=uuid.uuid4(),
            code=code,
            value=Money.of(cmd.amount, cmd.currency),
            expires_at=cmd.expires_at,
            note=cmd.note,
            recipient_email=cmd.recipient_email,
            by=cmd.actor_id,
            now=deps.clock.now(),
        )
        await uow.cards.add(card)
        await uow.commit()
    return IssuedGiftCard(gift_card=GiftCardDetails.of(card), code=code.display)


async def disable_gift_card(cmd: c.DisableGiftCard, deps: GiftCardsDeps) -> GiftCardDetails:
    return await _change(
        cmd.gift_card_id,
        lambda card, now: card.disable(by=cmd.actor_id, now=now),
        deps=deps,
        expected_version=cmd.expected_version,
    )


async def enable_gift_card(cmd: c.EnableGiftCard, deps: GiftCardsDeps) -> GiftCardDetails:
    return await _change(
        cmd.gift_card_id,
        lambda card, now: card.enable(by=cmd.actor_id, now=now),
        deps=deps,
        expected_version=cmd.expected_version,
    )


async def adjust_gift_card(cmd: c.AdjustGiftCard, deps: GiftCardsDeps) -> GiftCardDetails:
    amount = _signed_amount(cmd.amount)
    return await _change(
        cmd.gift_card_id,
        lambda card, now: card.adjust(amount, reason=cmd.reason, by=cmd.actor_id, now=now),
        deps=deps,
        expected_version=cmd.expected_version,
    )


async def credit_back_order(cmd: c.CreditBackOrder, deps: GiftCardsDeps) -> int:
    async with deps.uow() as uow:
        credited = await uow.cards.credit_back(cmd.order_id, now=deps.clock.now())
        await uow.commit()
    return credited


async def _change(
    gift_card_id: UUID,
    change: Callable[[GiftCard, datetime], None],
    *,
    deps: GiftCardsDeps,
    expected_version: int | None,
) -> GiftCardDetails:
    """Load, check If-Match, apply one domain command, save relative to the version, commit."""
    if expected_version is None:  # refused before anything is read
        check_version(expected_version, 0, what="gift card")
    async with deps.uow() as uow:
        card = await _load(uow, gift_card_id)
        check_version(expected_version, card.version, what="gift card")
        change(card, deps.clock.now())
        await uow.cards.save(card)
        await uow.commit()
    return GiftCardDetails.of(card)


async def _load(uow: GiftCardsUnitOfWork, gift_card_id: UUID) -> GiftCard:
    card = await uow.cards.get(gift_card_id)
    if card is None:
        raise GiftCardNotFound(f"gift card {gift_card_id} not found")
    return card


def _signed_amount(raw: str) -> Decimal:
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise InvalidGiftCard(f"{raw!r} is not an amount") from None
    if not amount.is_finite():
        raise InvalidGiftCard(f"{raw!r} is not an amount")
    return amount
