"""Gift cards pay what is due, in the order the customer gave them (ADR 0028)."""

from collections.abc import Iterable
from uuid import UUID

from domain.ordering.errors import CurrencyMismatch
from domain.ordering.pricing.breakdown import GiftCardCharge
from domain.ordering.pricing.inputs import GiftCardBalance
from domain.shared.money import Money


def pay(cards: Iterable[GiftCardBalance], due: Money) -> tuple[GiftCardCharge, ...]:
    """Each card pays min(what is left on it, what is still due); a card with nothing to pay
    (the order is already covered, or nothing is left on it) is left out. A card given twice
    pays from its one balance: what is left is kept per card."""
    charges: list[GiftCardCharge] = []
    left: dict[UUID, Money] = {}
    for card in cards:
        if card.balance.currency != due.currency:
            raise CurrencyMismatch(
                f"gift card ending {card.last_four} holds {card.balance.currency}"
            )
        amount = min(left.setdefault(card.gift_card_id, card.balance), due)
        if amount.amount > 0:
            charges.append(
                GiftCardCharge(
                    gift_card_id=card.gift_card_id, last_four=card.last_four, amount=amount
                )
            )
            left[card.gift_card_id] -= amount
            due -= amount
    return tuple(charges)
