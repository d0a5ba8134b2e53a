"""Rules of inventory, named as the warehouse says them."""

from domain.shared.errors import DomainError


class InvalidQuantity(DomainError):
    """Quantities of stock movements are positive whole numbers within bounds."""


class UnknownSku(DomainError):
    """No stock has ever been recorded for this SKU."""


class InsufficientStock(DomainError):
    """Fewer units are available than were asked for; nothing was reserved."""

    def __init__(self, sku: str, *, requested: int, available: int) -> None:
        super().__init__(f"{sku}: {requested} requested, {available} available")
        self.sku = sku
        self.requested = requested
        self.available = available


class AdjustmentBelowReserved(DomainError):
    """An adjustment may not leave fewer units on hand than are reserved for orders."""


class ReasonRequired(DomainError):
    """Every adjustment says why (count correction, damage, theft, ...)."""


class ReservationExpired(DomainError):
    """The order's reservation ended (expired or released) before it could be committed; its
    units may already be promised to someone else."""


class UnknownLocation(DomainError):
    """No stock location has this code."""


class LocationInactive(DomainError):
    """The stock location was deactivated: it takes no new stock and no new reservations."""


class LocationExists(DomainError):
    """A stock location with this code already exists."""


class InvalidLocationCode(DomainError):
    """Location codes are 1-32 lower-case letters, digits, '-' or '_', starting with a letter
    or digit."""


class BackorderLimitReached(DomainError):
    """Fewer units are available than were asked for, and the SKU's backorder limit leaves too
    few to promise beyond them; nothing was reserved."""

    def __init__(self, sku: str, *, requested: int, available: int, limit_left: int) -> None:
        super().__init__(
            f"{sku}: {requested} requested, {available} available, "
            f"{limit_left} more may be backordered"
        )
        self.sku = sku
        self.requested = requested
        self.available = available
        self.limit_left = limit_left
