"""A reservation: units of one SKU held at one stock location for one order."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.inventory.values import DEFAULT_LOCATION, ReservationStatus

HELD = ReservationStatus.HELD


@dataclass(frozen=True, kw_only=True)
class Reservation:
    """Units of one SKU held at one location for one order until `expires_at` (None: until it
    is settled). `committed` of them left already (with shipments); `backordered` of the rest
    are not on hand yet."""

    id: UUID
    order_id: UUID
    sku: str
    quantity: int
    expires_at: datetime | None
    status: ReservationStatus = HELD
    location: str = DEFAULT_LOCATION
    committed: int = 0
    backordered: int = 0

    @property
    def held(self) -> int:
        """Units still held: neither shipped nor given back."""
        return self.quantity - self.committed if self.status is HELD else 0

    @property
    def on_hand(self) -> int:
        """Held units that are on hand (may be shipped)."""
        return self.held - self.backordered if self.status is HELD else 0
