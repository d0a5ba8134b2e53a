"""Every stock movement is a fact other contexts can react to; the stock ledger is these
events, written in the transaction that makes them.

Schema v2 of the movements of v1 names the stock location they happened at; a v1 event
happened where every unit was then, `main` (infrastructure/inventory/upcasters.py)."""

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, get_args
from uuid import UUID

from domain.inventory.values import DEFAULT_LOCATION, BackorderPolicy
from domain.shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class StockReceived(DomainEvent):
    """Units arrived; `on_hand` is the count after them (at the location). `actor_id` is None
    for the shop."""

    SCHEMA_VERSION: ClassVar[int] = 2

    sku: str
    quantity: int
    on_hand: int
    actor_id: UUID | None = None
    location: str = DEFAULT_LOCATION


@dataclass(frozen=True, kw_only=True)
class StockAdjusted(DomainEvent):
    """Units on hand corrected (a count, breakage, theft), with the reason."""

    SCHEMA_VERSION: ClassVar[int] = 2

    sku: str
    delta: int
    reason: str
    on_hand: int
    actor_id: UUID | None = None
    location: str = DEFAULT_LOCATION


@dataclass(frozen=True, kw_only=True)
class StockReserved(DomainEvent):
    """Units held for an order at a location, until `expires_at` (None: until the order settles
    them). `backordered` of the `quantity` are not on hand yet: receipts there fill them."""

    SCHEMA_VERSION: ClassVar[int] = 2

    sku: str
    quantity: int
    reservation_id: UUID
    order_id: UUID
    expires_at: datetime | None = None
    location: str = DEFAULT_LOCATION
    backordered: int = 0


@dataclass(frozen=True, kw_only=True)
class StockReleased(DomainEvent):
    """A reservation ended without a sale: released by the order, or expired. `quantity` is
    what it still held (`backordered` of them never arrived)."""

    SCHEMA_VERSION: ClassVar[int] = 2

    sku: str
    quantity: int
    reservation_id: UUID
    order_id: UUID
    reason: str
    location: str = DEFAULT_LOCATION
    backordered: int = 0


@dataclass(frozen=True, kw_only=True)
class StockCommitted(DomainEvent):
    """Reserved units left the warehouse: on hand and reserved both drop. `shipment_id` names
    the parcel (None: the order shipped in one go); `settled` says the reservation is done, and
    `backordered` units of it that never arrived are let go with it."""

    SCHEMA_VERSION: ClassVar[int] = 2

    sku: str
    quantity: int
    reservation_id: UUID
    order_id: UUID
    location: str = DEFAULT_LOCATION
    shipment_id: UUID | None = None
    settled: bool = True
    backordered: int = 0


@dataclass(frozen=True, kw_only=True)
class StockTransferred(DomainEvent):
    """Available units moved from one location to another; the SKU's totals do not change."""

    sku: str
    quantity: int
    from_location: str
    to_location: str
    actor_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class StockRestocked(DomainEvent):
    """Units a customer sent back went on hand again at a location."""

    sku: str
    quantity: int
    location: str
    on_hand: int
    return_id: UUID
    order_id: UUID


@dataclass(frozen=True, kw_only=True)
class StockWrittenOff(DomainEvent):
    """Units a customer sent back were unsellable: recorded, never on hand again."""

    sku: str
    quantity: int
    return_id: UUID
    order_id: UUID


@dataclass(frozen=True, kw_only=True)
class BackorderFilled(DomainEvent):
    """Units received at a location went to an order's backordered reservation first."""

    sku: str
    quantity: int
    reservation_id: UUID
    order_id: UUID
    location: str


@dataclass(frozen=True, kw_only=True)
class BackorderPolicySet(DomainEvent):
    """Whether (and how many units) a SKU may be promised beyond what is on hand."""

    sku: str
    policy: BackorderPolicy
    limit: int
    actor_id: UUID | None = None


StockMovement = (
    StockReceived
    | StockAdjusted
    | StockReserved
    | StockReleased
    | StockCommitted
    | StockTransferred
    | StockRestocked
    | StockWrittenOff
    | BackorderFilled
    | BackorderPolicySet
)


@dataclass(frozen=True, kw_only=True)
class LocationOpened(DomainEvent):
    """A stock location was created; it takes stock and reservations while it is active."""

    code: str
    name: str
    actor_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class LocationDeactivated(DomainEvent):
    """A stock location takes no new stock or reservations; what it holds stays until settled
    or transferred away."""

    code: str
    actor_id: UUID | None = None


LocationEvent = LocationOpened | LocationDeactivated

EVENTS: tuple[type[DomainEvent], ...] = get_args(StockMovement) + get_args(LocationEvent)
