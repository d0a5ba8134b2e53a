"""Inventory commands: what staff do to stock, and what the ordering context asks of it."""

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from application.inventory.views import LocationView
from application.shared.bus import Command
from domain.inventory.stock import Reservation
from domain.inventory.values import DEFAULT_LOCATION, BackorderPolicy, StockLevel


@dataclass(frozen=True, kw_only=True)
class ReceiveStock(Command[StockLevel]):
    """Units arrived; the first receipt of a SKU creates its stock record."""

    sku: str
    quantity: int
    actor_id: UUID | None
    location: str = DEFAULT_LOCATION


@dataclass(frozen=True, kw_only=True)
class AdjustStock(Command[StockLevel]):
    """Correct the units on hand, with a reason; never below what is reserved."""

    sku: str
    delta: int
    reason: str
    actor_id: UUID | None
    location: str = DEFAULT_LOCATION


@dataclass(frozen=True, kw_only=True)
class ReserveStock(Command[list[Reservation]]):
    """All lines or none, spread over the active locations by the allocation strategy (one
    reservation per SKU and location); asking again for the same order returns what it
    already holds."""

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


@dataclass(frozen=True, kw_only=True)
class OpenLocation(Command[LocationView]):
    """A new stock location, active."""

    code: str
    name: str
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class DeactivateLocation(Command[LocationView]):
    """The location takes no new stock or reservations; what it holds stays until settled."""

    code: str
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class TransferStock(Command[StockLevel]):
    """Move available units of a SKU from one location to another (active) one."""

    sku: str
    from_location: str
    to_location: str
    quantity: int
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class SetBackorderPolicy(Command[StockLevel]):
    """Whether a SKU may be reserved beyond what is on hand, and up to how many units."""

    sku: str
    policy: BackorderPolicy
    limit: int
    actor_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class CommitShipment(Command[list[Reservation]]):
    """A parcel of the order left `location` (None: wherever its units were reserved): those
    units of its reservations are committed, once per `event_id`."""

    order_id: UUID
    shipment_id: UUID
    lines: tuple[tuple[str, int], ...]
    location: str | None
    event_id: UUID


@dataclass(frozen=True, kw_only=True)
class ReceiveReturn(Command[int]):
    """Units of a return came back: (sku, quantity, restock?, location) each; restocked units go
    on hand at their location (None: `main`), the rest are written off. Once per `event_id`;
    returns how many units were restocked."""

    return_id: UUID
    order_id: UUID
    units: tuple[tuple[str, int, bool, str | None], ...]
    event_id: UUID
