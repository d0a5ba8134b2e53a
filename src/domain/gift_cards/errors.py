"""Rules of gift cards."""

from domain.shared.errors import DomainError


class InvalidGiftCard(DomainError):
    """A card is issued with a positive value, an expiry in the future, short notes; an
    adjustment is not zero and says why."""


class GiftCardNotFound(DomainError):
    """No card with this id, or no card with this code."""


class AdjustmentBelowZero(DomainError):
    """Staff tried to take more from a card than it holds."""
