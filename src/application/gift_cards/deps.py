"""What the gift card handlers are given by the composition root."""

from dataclasses import dataclass

from application.gift_cards.ports import GiftCardsUnitOfWorkFactory
from application.shared.clock import Clock


@dataclass(frozen=True, kw_only=True)
class GiftCardsDeps:
    """Ports shared by the gift card handlers."""

    uow: GiftCardsUnitOfWorkFactory
    clock: Clock
