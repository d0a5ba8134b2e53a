"""What inventory use cases need. Every stock change is one atomic conditional statement."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.shared.pagination import Page
from application.shared.unit_of_work import UnitOfWork
from domain.inventory.stock import StockLevel
from domain.shared.events import DomainEvent
from domain.shared.sku import Sku


@dataclass(frozen=True)
class Reservation:
    """Units of one SKU held for one order until `expires_at`."""

    id: UUID
    order_id: UUID
    sku: str
    quantity: int
    expires_at: datetime | None
    status: str = "held"


@dataclass(frozen=True, kw_only=True)
class Movement:
    """Who moved stock and why, for the ledger."""

    at: datetime
    actor_id: UUID | None = None
    reason: str | None = None


class StockRepository(Protocol):
    """Stock levels, reservations and the ledger, changed together in one transaction."""

    async def lock(self, skus: Iterable[str]) -> None:
        """Queue behind other writers of these SKUs; call before the transaction's first write."""
        ...

    async def receive(self, sku: Sku, quantity: int, movement: Movement) -> StockLevel: ...

    async def adjust(self, sku: Sku, delta: int, movement: Movement) -> StockLevel:
        """Raise UnknownSku, or AdjustmentBelowReserved when it would undercut reservations."""
        ...

    async def reserve(self, sku: Sku, reservation: Reservation, movement: Movement) -> None:
        """Hold units if available (one conditional UPDATE); else raise InsufficientStock."""
        ...

    async def reservations_of(self, order_id: UUID) -> list[Reservation]:
        """Every reservation the order ever made, whatever became of it."""
        ...

    async def settle(
        self, order_id: UUID, *, outcome: str, movement: Movement
    ) -> list[Reservation]:
        """End the order's held reservations as `released` or `committed`; returns them."""
        ...

    async def keep(self, order_id: UUID) -> int:
        """Stop the order's held reservations from expiring; returns how many."""
        ...

    async def due(self, now: datetime, *, limit: int) -> list[Reservation]:
        """Held reservations past their expiry, oldest first (a read; nothing changes)."""
        ...

    async def expire(self, reservations: list[Reservation], *, now: datetime) -> list[Reservation]:
        """End those still held as expired and give their units back; returns those it ended,
        so concurrent sweeps never release one twice."""
        ...


class InventoryUnitOfWork(UnitOfWork, Protocol):
    """One transaction over stock; recorded events go to the event log with it."""

    @property
    def stock(self) -> StockRepository: ...

    def record(self, sku: str, event: DomainEvent) -> None: ...


class InventoryUnitOfWorkFactory(Protocol):
    def __call__(self) -> InventoryUnitOfWork: ...


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


class StockReader(Protocol):
    """Read side of inventory."""

    async def level(self, sku: Sku) -> StockLevel | None: ...

    async def ledger(self, sku: Sku, *, limit: int, cursor: str | None) -> Page[LedgerEntry]: ...
