"""Values of inventory: quantities, adjustments, stock levels, and what becomes of a reservation."""

from dataclasses import dataclass
from enum import StrEnum

from domain.inventory.errors import InvalidQuantity, ReasonRequired

MAX_QUANTITY = 1_000_000


def check_quantity(quantity: int) -> int:
    """A movement of 1..1,000,000 units."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidQuantity(f"quantity must be between 1 and {MAX_QUANTITY}, not {quantity}")
    return quantity


def check_adjustment(delta: int, reason: str) -> str:
    """A non-zero correction with a reason; returns the trimmed reason."""
    if delta == 0 or abs(delta) > MAX_QUANTITY:
        raise InvalidQuantity(f"an adjustment moves 1..{MAX_QUANTITY} units up or down")
    reason = reason.strip()
    if len(reason) < 3:
        raise ReasonRequired("an adjustment needs a reason of at least 3 characters")
    return reason


@dataclass(frozen=True)
class StockLevel:
    """Units on hand and reserved; what can still be promised is the difference."""

    sku: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class ReservationStatus(StrEnum):
    """A reservation is held until it is committed (the units shipped), released (the order
    ended without them) or expired (nobody settled it in time)."""

    HELD = "held"
    COMMITTED = "committed"
    RELEASED = "released"
    EXPIRED = "expired"
