"""Values of inventory: quantities, adjustments, stock levels, and what becomes of a reservation."""

import re
from dataclasses import dataclass
from enum import StrEnum

from domain.inventory.errors import InvalidLocationCode, InvalidQuantity, ReasonRequired

MAX_QUANTITY = 1_000_000
DEFAULT_LOCATION = "main"  # where every unit from before stock locations lives
_LOCATION_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


def check_location_code(code: str) -> str:
    """A location's short code, as staff type it (`main`, `berlin-2`)."""
    if not _LOCATION_CODE.fullmatch(code):
        raise InvalidLocationCode(
            f"{code!r}: a location code is 1-32 of a-z, 0-9, '-', '_', starting with a-z or 0-9"
        )
    return code


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
class LocationLevel:
    """One SKU's units at one stock location; `backordered` units are promised there to orders
    but not on hand yet (they are not part of `reserved`)."""

    location: str
    on_hand: int
    reserved: int
    backordered: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class BackorderPolicy(StrEnum):
    """Whether a SKU may be promised beyond what is on hand, up to its limit: `backorder` for
    a SKU that is restocked, `preorder` for one not released yet; both reserve the same way."""

    NONE = "none"
    BACKORDER = "backorder"
    PREORDER = "preorder"


@dataclass(frozen=True)
class StockLevel:
    """Units on hand and reserved; what can still be promised is the difference. The totals
    are the sums of `locations`; `backordered` units are promised beyond what is on hand."""

    sku: str
    on_hand: int
    reserved: int
    locations: tuple[LocationLevel, ...] = ()
    backordered: int = 0
    policy: BackorderPolicy = BackorderPolicy.NONE
    backorder_limit: int = 0

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
