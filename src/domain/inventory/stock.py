"""The StockItem aggregate: one SKU's units on hand and reserved, and the reservations that
hold them for orders.

A stock item is loaded under its SKU's lock, so its counts are current while a command runs.
Each movement checks its rule here and records its event; the repository then writes the
movement as one relative, conditional statement (never the counts it computed), so the
database's own rule (reserved <= on hand) refuses whatever this code might get wrong."""

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from domain.inventory import events as ev
from domain.inventory.errors import AdjustmentBelowReserved, InsufficientStock, UnknownSku
from domain.inventory.values import ReservationStatus, StockLevel, check_adjustment, check_quantity
from domain.shared.aggregate import AggregateRoot

HELD = ReservationStatus.HELD


@dataclass(frozen=True, kw_only=True)
class Reservation:
    """Units of one SKU held for one order until `expires_at` (None: until it is settled)."""

    id: UUID
    order_id: UUID
    sku: str
    quantity: int
    expires_at: datetime | None
    status: ReservationStatus = HELD


class StockItem(AggregateRoot):
    """What the warehouse holds of one SKU; what can still be promised is on hand - reserved."""

    stream_type = "stock"

    def __init__(self, sku: str, *, on_hand: int = 0, reserved: int = 0, known: bool = False):
        super().__init__()
        self.sku, self.on_hand, self.reserved = sku, on_hand, reserved
        self.known = known  # stock was ever recorded for this SKU

    # -- commands ---------------------------------------------------------------------------

    def receive(self, quantity: int, *, actor_id: UUID | None, now: datetime) -> None:
        """Units arrived; the first receipt of a SKU starts its stock."""
        self.on_hand += check_quantity(quantity)
        self.known = True
        self._record(
            ev.StockReceived(
                occurred_at=now,
                sku=self.sku,
                quantity=quantity,
                on_hand=self.on_hand,
                actor_id=actor_id,
            )
        )

    def adjust(self, delta: int, reason: str, *, actor_id: UUID | None, now: datetime) -> None:
        """Correct the units on hand; never below what is reserved for orders."""
        reason = check_adjustment(delta, reason)
        if not self.known:
            raise UnknownSku(f"no stock recorded for {self.sku}")
        if self.on_hand + delta < self.reserved:
            raise AdjustmentBelowReserved(
                f"{self.sku}: {self.on_hand} on hand, {self.reserved} reserved; "
                f"{delta} would leave less than is reserved"
            )
        self.on_hand += delta
        self._record(
            ev.StockAdjusted(
                occurred_at=now,
                sku=self.sku,
                delta=delta,
                reason=reason,
                on_hand=self.on_hand,
                actor_id=actor_id,
            )
        )

    def reserve(
        self, *, order_id: UUID, quantity: int, expires_at: datetime | None, now: datetime
    ) -> Reservation:
        """Hold units for an order, if that many are available."""
        if check_quantity(quantity) > self.available:
            raise InsufficientStock(self.sku, requested=quantity, available=self.available)
        self.reserved += quantity
        reservation = Reservation(
            id=uuid.uuid4(),
            order_id=order_id,
            sku=self.sku,
            quantity=quantity,
            expires_at=expires_at,
        )
        self._record(
            ev.StockReserved(
                occurred_at=now,
                sku=self.sku,
                quantity=quantity,
                reservation_id=reservation.id,
                order_id=order_id,
                expires_at=expires_at,
            )
        )
        return reservation

    def release(self, reservation: Reservation, *, expired: bool, now: datetime) -> Reservation:
        """Give a held reservation's units back: the order ended, or nobody settled it in time."""
        self._settling(reservation)
        self.reserved -= reservation.quantity
        self._record(
            ev.StockReleased(
                occurred_at=now,
                sku=self.sku,
                quantity=reservation.quantity,
                reservation_id=reservation.id,
                order_id=reservation.order_id,
                reason="expired" if expired else "released",
            )
        )
        status = ReservationStatus.EXPIRED if expired else ReservationStatus.RELEASED
        return replace(reservation, status=status)

    def commit(self, reservation: Reservation, *, now: datetime) -> Reservation:
        """A held reservation's units left the warehouse: on hand and reserved both drop."""
        self._settling(reservation)
        self.reserved -= reservation.quantity
        self.on_hand -= reservation.quantity
        self._record(
            ev.StockCommitted(
                occurred_at=now,
                sku=self.sku,
                quantity=reservation.quantity,
                reservation_id=reservation.id,
                order_id=reservation.order_id,
            )
        )
        return replace(reservation, status=ReservationStatus.COMMITTED)

    # -- queries ----------------------------------------------------------------------------

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def level(self) -> StockLevel:
        return StockLevel(self.sku, self.on_hand, self.reserved)

    @property
    def stream_id(self) -> str:
        return stock_stream(self.sku)

    # -- private ----------------------------------------------------------------------------

    def _settling(self, reservation: Reservation) -> None:
        assert reservation.sku == self.sku, reservation
        assert reservation.status is HELD, reservation


def stock_stream(sku: str) -> str:
    """The event-log stream of one SKU's movements."""
    return f"stock-{sku}"
