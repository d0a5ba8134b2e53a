"""Every stock movement is a fact other contexts can react to."""

from dataclasses import dataclass
from uuid import UUID

from domain.shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class StockReceived(DomainEvent):
    sku: str
    quantity: int
    on_hand: int


@dataclass(frozen=True, kw_only=True)
class StockAdjusted(DomainEvent):
    sku: str
    delta: int
    reason: str
    on_hand: int


@dataclass(frozen=True, kw_only=True)
class StockReserved(DomainEvent):
    sku: str
    quantity: int
    reservation_id: UUID
    order_id: UUID


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
