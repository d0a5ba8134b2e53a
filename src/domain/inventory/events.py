"""Every stock movement is a fact other contexts can react to; the stock ledger is these
events, written in the transaction that makes them."""

from dataclasses import dataclass
from datetime import datetime
from typing import get_args
from uuid import UUID

from domain.shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class StockReceived(DomainEvent):
    """Units arrived; `on_hand` is the count after them. `actor_id` is None for the shop."""

    sku: str
    quantity: int
    on_hand: int
    actor_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class StockAdjusted(DomainEvent):
    """Units on hand corrected (a count, breakage, theft), with the reason."""

    sku: str
    delta: int
    reason: str
    on_hand: int
    actor_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class StockReserved(DomainEvent):
    """Units held for an order, until `expires_at` (None: until the order settles them)."""

    sku: str
    quantity: int
    reservation_id: UUID
    order_id: UUID
    expires_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class StockReleased(DomainEvent):
    """A reservation ended without a sale: released by the order, or expired."""

    sku: str
    quantity: int
    reservation_id: UUID
    order_id: UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class StockCommitted(DomainEvent):
    """Reserved units left the warehouse: on hand and reserved both drop."""

    sku: str
    quantity: int
    reservation_id: UUID
    order_id: UUID


StockMovement = StockReceived | StockAdjusted | StockReserved | StockReleased | StockCommitted

EVENTS: tuple[type[DomainEvent], ...] = get_args(StockMovement)  # every event is a movement
