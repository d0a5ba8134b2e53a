"""What inventory use cases need: stock items, their reservations and the ledger, changed
together in one transaction; and the read side."""

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.inventory.views import LedgerEntry, LocationView
from application.shared.pagination import Page
from application.shared.unit_of_work import UnitOfWork
from domain.inventory.location import Location
from domain.inventory.stock import Reservation, StockItem
from domain.inventory.values import StockLevel
from domain.shared.sku import Sku


class StockRepository(Protocol):
    """Stock items under their SKUs' locks; saving writes each movement as one relative,
    conditional statement and its ledger row."""

    async def get_many(self, skus: Iterable[str]) -> dict[str, StockItem]:
        """Queue behind other writers of these SKUs (in one global order: no deadlocks), then load
        them; a SKU never stocked comes back empty and unknown. Call before the first write."""

    async def save(self, items: Iterable[StockItem]) -> None:
        """Write the movements recorded since the last save; ConcurrencyConflict if the
        database refuses one (the counts moved without the SKU's lock)."""

    async def reservations_of(self, order_id: UUID) -> list[Reservation]:
        """Every reservation the order ever made, whatever became of it, by SKU."""

    async def reservations(self, ids: Iterable[UUID]) -> list[Reservation]:
        """These reservations as they are now (read again once their SKUs are locked)."""

    async def due(self, now: datetime, *, limit: int) -> list[Reservation]:
        """Held reservations past their expiry, oldest first (a read; nothing changes)."""

    async def keep(self, order_id: UUID) -> int:
        """Stop the order's held reservations from expiring; returns how many. Not a
        movement: no units change hands, so no event and no ledger row."""

    async def backordered(self, sku: str, location: str) -> list[Reservation]:
        """Held reservations of the SKU at the location still waiting for units, oldest first
        (read under the SKU's lock)."""

    async def claim(self, event_id: UUID) -> bool:
        """Record that this event is being applied, with the transaction; False if it was
        already (a redelivery: apply nothing)."""


class LocationRepository(Protocol):
    """Stock locations."""

    async def get(self, code: str) -> Location | None: ...

    async def active(self) -> list[str]:
        """The codes of the active locations, by code."""

    async def add(self, location: Location) -> None:
        """Store a new location; LocationExists if its code is taken."""

    async def save(self, location: Location) -> None: ...


class InventoryUnitOfWork(UnitOfWork, Protocol):
    """One transaction over stock; the stock items' events go to the event log with it."""

    @property
    def stock(self) -> StockRepository: ...

    @property
    def locations(self) -> LocationRepository: ...


class InventoryUnitOfWorkFactory(Protocol):
    """Opens a fresh unit of work for each command."""

    def __call__(self) -> InventoryUnitOfWork: ...


class StockReader(Protocol):
    """Read side of inventory."""

    async def level(self, sku: Sku) -> StockLevel | None: ...

    async def ledger(self, sku: Sku, *, limit: int, cursor: str | None) -> Page[LedgerEntry]: ...

    async def locations(self) -> list[LocationView]: ...

    async def location(self, code: str) -> LocationView | None: ...

    async def held(self, order_id: UUID) -> list[Reservation]:
        """The order's reservations that still hold units."""
