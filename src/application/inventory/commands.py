"""Inventory commands: what staff do to stock, and what the ordering context asks of it."""

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from application.shared.bus import Command
from domain.inventory.stock import Reservation
from domain.inventory.values import StockLevel


@dataclass(frozen=True, kw_only=True)
class ReceiveStock(Command[StockLevel]):
    """Units arrived; the first receipt of a SKU creates its stock record."""

    sku: str
    quantity: int
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class AdjustStock(Command[StockLevel]):
    """Correct the units on hand, with a reason; never below what is reserved."""

    sku: str
    delta: int
    reason: str
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class ReserveStock(Command[list[Reservation]]):
    """All lines or none; asking again for the same order returns what it already holds."""

    order_id: UUID
    lines: tuple[tuple[str, int], ...]
    hold_for: timedelta


@dataclass(frozen=True, kw_only=True)
class ReleaseReservations(Command[list[Reservation]]):
    """The order ended without its units: what it holds goes back (nothing, the second time)."""

    order_id: UUID


@dataclass(frozen=True, kw_only=True)
class CommitReservations(Command[list[Reservation]]):
    """The order's units left the warehouse; refused if its reservation lapsed meanwhile."""

    order_id: UUID


@dataclass(frozen=True, kw_only=True)
class KeepReservations(Command[int]):
    """The order was paid: its reservations no longer expire (they end when it ships or is
    cancelled). Returns how many were still held."""

    order_id: UUID


@dataclass(frozen=True, kw_only=True)
class ExpireReservations(Command[int]):
    """The worker's periodic sweep; returns how many reservations expired."""

    batch: int = 500
