"""What inventory queries return (levels are the domain's StockLevel)."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, kw_only=True)
class LedgerEntry:
    """One movement, as the append-only ledger recorded it."""

    id: int
    movement: str
    on_hand_delta: int
    reserved_delta: int
    order_id: UUID | None
    reason: str | None
    actor_id: UUID | None
    recorded_at: datetime
    location: str | None = None  # None: before stock locations (then `main`), or a write-off
    backordered_delta: int = 0


@dataclass(frozen=True, kw_only=True)
class LocationView:
    """A stock location."""

    code: str
    name: str
    active: bool
