"""The StockItem aggregate: one SKU's units on hand and reserved at each stock location, and
the reservations that hold them for orders.

A stock item is loaded under its SKU's lock (one lock for all its locations), so its counts are
current while a command runs. Each movement checks its rule here and records its event; the
repository then writes the movement as relative, conditional statements (never the counts it
computed), so the database's own rules (reserved <= on hand at every location) refuse whatever
this code might get wrong."""

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from domain.inventory import events as ev
from domain.inventory.errors import (
    AdjustmentBelowReserved,
    BackorderLimitReached,
    InsufficientStock,
    UnknownSku,
)
from domain.inventory.reservation import HELD, Reservation
from domain.inventory.values import (
    BackorderPolicy,
    LocationLevel,
    ReservationStatus,
    StockLevel,
    check_adjustment,
    check_quantity,
)
from domain.shared.aggregate import AggregateRoot

__all__ = ["Reservation", "StockItem", "stock_stream"]


class StockItem(AggregateRoot):
    """What the warehouse holds of one SKU, per location; what can still be promised at a
    location is its on hand - reserved, and beyond that, up to the limit, backorders."""

    stream_type = "stock"

    def __init__(
        self,
        sku: str,
        *,
        levels: Mapping[str, LocationLevel] | None = None,
        known: bool = False,
        policy: BackorderPolicy = BackorderPolicy.NONE,
        backorder_limit: int = 0,
    ) -> None:
        super().__init__()
        self.sku = sku
        self.levels: dict[str, LocationLevel] = dict(levels or {})
        self.known = known  # stock was ever recorded for this SKU
        self.policy, self.backorder_limit = policy, backorder_limit

    # -- commands ---------------------------------------------------------------------------

    def receive(
        self, quantity: int, *, location: str, actor_id: UUID | None, now: datetime
    ) -> None:
        """Units arrived at a location; the first receipt of a SKU starts its stock."""
        level = self._change(location, on_hand=check_quantity(quantity))
        self.known = True
        self._record(
            ev.StockReceived(
                occurred_at=now,
                sku=self.sku,
                quantity=quantity,
                on_hand=level.on_hand,
                actor_id=actor_id,
                location=location,
            )
        )

    def adjust(
        self, delta: int, reason: str, *, location: str, actor_id: UUID | None, now: datetime
    ) -> None:
        """Correct the units on hand at a location; never below what is reserved there."""
        reason = check_adjustment(delta, reason)
        if not self.known:
            raise UnknownSku(f"no stock recorded for {self.sku}")
        level = self.level_at(location)
        if level.on_hand + delta < level.reserved:
            raise AdjustmentBelowReserved(
                f"{self.sku} at {location}: {level.on_hand} on hand, {level.reserved} reserved;"
                f" {delta} would leave less than is reserved"
            )
        level = self._change(location, on_hand=delta)
        self._record(
            ev.StockAdjusted(
                occurred_at=now,
                sku=self.sku,
                delta=delta,
                reason=reason,
                on_hand=level.on_hand,
                actor_id=actor_id,
                location=location,
            )
        )

    def reserve(
        self,
        *,
        order_id: UUID,
        location: str,
        quantity: int,
        backordered: int = 0,
        expires_at: datetime | None,
        now: datetime,
    ) -> Reservation:
        """Hold units for an order at a location, if that many are available there (beyond
        them, `backordered` units up to the SKU's backorder limit)."""
        on_hand = check_quantity(quantity) - backordered
        available = self.level_at(location).available
        if on_hand > available or on_hand < 0:
            raise InsufficientStock(self.sku, requested=quantity, available=available)
        if backordered > self.backorder_room:
            raise BackorderLimitReached(
                self.sku, requested=quantity, available=available, limit_left=self.backorder_room
            )
        self._change(location, reserved=on_hand, backordered=backordered)
        reservation = Reservation(
            id=uuid.uuid4(),
            order_id=order_id,
            sku=self.sku,
            quantity=quantity,
            expires_at=expires_at,
            location=location,
            backordered=backordered,
        )
        self._record(
            ev.StockReserved(
                occurred_at=now,
                sku=self.sku,
                quantity=quantity,
                reservation_id=reservation.id,
                order_id=order_id,
                expires_at=expires_at,
                location=location,
                backordered=backordered,
            )
        )
        return reservation

    def release(self, reservation: Reservation, *, expired: bool, now: datetime) -> Reservation:
        """Give a held reservation's units back: the order ended, or nobody settled it in time."""
        self._settling(reservation)
        self._change(
            reservation.location,
            reserved=-reservation.on_hand,
            backordered=-reservation.backordered,
        )
        self._record(
            ev.StockReleased(
                occurred_at=now,
                sku=self.sku,
                quantity=reservation.held,
                reservation_id=reservation.id,
                order_id=reservation.order_id,
                reason="expired" if expired else "released",
                location=reservation.location,
                backordered=reservation.backordered,
            )
        )
        status = ReservationStatus.EXPIRED if expired else ReservationStatus.RELEASED
        return replace(reservation, status=status)

    def commit(
        self,
        reservation: Reservation,
        *,
        quantity: int | None = None,
        shipment_id: UUID | None = None,
        now: datetime,
    ) -> Reservation:
        """Held units left the warehouse (all that is on hand, or `quantity` of them, with a
        shipment): on hand and reserved both drop. A backorder that never arrived is let go."""
        self._settling(reservation)
        shipped = reservation.on_hand if quantity is None else quantity
        assert 0 < shipped <= reservation.on_hand or (quantity is None and shipped == 0)
        committed = replace(reservation, committed=reservation.committed + shipped)
        settled = quantity is None or committed.held == 0
        dropped = committed.backordered if settled else 0
        self._change(
            reservation.location, on_hand=-shipped, reserved=-shipped, backordered=-dropped
        )
        self._record(
            ev.StockCommitted(
                occurred_at=now,
                sku=self.sku,
                quantity=shipped,
                reservation_id=reservation.id,
                order_id=reservation.order_id,
                location=reservation.location,
                shipment_id=shipment_id,
                settled=settled,
                backordered=dropped,
            )
        )
        if not settled:
            return committed
        return replace(committed, status=ReservationStatus.COMMITTED, backordered=0)

    def transfer(
        self, quantity: int, *, source: str, target: str, actor_id: UUID | None, now: datetime
    ) -> None:
        """Move available units between locations."""
        available = self.level_at(source).available
        if check_quantity(quantity) > available:
            raise InsufficientStock(self.sku, requested=quantity, available=available)
        self._change(source, on_hand=-quantity)
        self._change(target, on_hand=quantity)
        self._record(
            ev.StockTransferred(
                occurred_at=now,
                sku=self.sku,
                quantity=quantity,
                from_location=source,
                to_location=target,
                actor_id=actor_id,
            )
        )

    def restock(
        self, quantity: int, *, location: str, return_id: UUID, order_id: UUID, now: datetime
    ) -> None:
        """Returned units went back on hand at a location."""
        level = self._change(location, on_hand=check_quantity(quantity))
        self.known = True
        self._record(
            ev.StockRestocked(
                occurred_at=now,
                sku=self.sku,
                quantity=quantity,
                location=location,
                on_hand=level.on_hand,
                return_id=return_id,
                order_id=order_id,
            )
        )

    def write_off(self, quantity: int, *, return_id: UUID, order_id: UUID, now: datetime) -> None:
        """Returned units were unsellable: recorded, not restocked."""
        self._record(
            ev.StockWrittenOff(
                occurred_at=now,
                sku=self.sku,
                quantity=check_quantity(quantity),
                return_id=return_id,
                order_id=order_id,
            )
        )

    def fill(self, reservation: Reservation, quantity: int, *, now: datetime) -> Reservation:
        """Units on hand at the reservation's location go to its backorder."""
        self._settling(reservation)
        room = min(reservation.backordered, self.level_at(reservation.location).available)
        assert 0 < quantity <= room, (quantity, room)
        self._change(reservation.location, reserved=quantity, backordered=-quantity)
        self._record(
            ev.BackorderFilled(
                occurred_at=now,
                sku=self.sku,
                quantity=quantity,
                reservation_id=reservation.id,
                order_id=reservation.order_id,
                location=reservation.location,
            )
        )
        return replace(reservation, backordered=reservation.backordered - quantity)

    def set_policy(
        self, policy: BackorderPolicy, limit: int, *, actor_id: UUID | None, now: datetime
    ) -> None:
        """Allow (or stop) promising units beyond what is on hand; the limit may be set below
        what is already backordered (nothing more is, until it falls under it)."""
        limit = 0 if policy is BackorderPolicy.NONE else check_quantity(limit)
        self.policy, self.backorder_limit = policy, limit
        self._record(
            ev.BackorderPolicySet(
                occurred_at=now, sku=self.sku, policy=policy, limit=limit, actor_id=actor_id
            )
        )

    # -- queries ----------------------------------------------------------------------------

    def level_at(self, location: str) -> LocationLevel:
        return self.levels.get(location) or LocationLevel(location, 0, 0)

    @property
    def on_hand(self) -> int:
        return sum(level.on_hand for level in self.levels.values())

    @property
    def reserved(self) -> int:
        return sum(level.reserved for level in self.levels.values())

    @property
    def backordered(self) -> int:
        return sum(level.backordered for level in self.levels.values())

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def backorder_room(self) -> int:
        """How many more units may be promised beyond what is on hand."""
        if self.policy is BackorderPolicy.NONE:
            return 0
        return max(self.backorder_limit - self.backordered, 0)

    @property
    def level(self) -> StockLevel:
        return StockLevel(
            self.sku,
            self.on_hand,
            self.reserved,
            locations=tuple(self.levels[code] for code in sorted(self.levels)),
            backordered=self.backordered,
            policy=self.policy,
            backorder_limit=self.backorder_limit,
        )

    @property
    def stream_id(self) -> str:
        return stock_stream(self.sku)

    # -- private ----------------------------------------------------------------------------

    def _change(
        self, location: str, *, on_hand: int = 0, reserved: int = 0, backordered: int = 0
    ) -> LocationLevel:
        level = self.level_at(location)
        self.levels[location] = level = replace(
            level,
            on_hand=level.on_hand + on_hand,
            reserved=level.reserved + reserved,
            backordered=level.backordered + backordered,
        )
        return level

    def _settling(self, reservation: Reservation) -> None:
        assert reservation.sku == self.sku, reservation
        assert reservation.status is HELD, reservation


def stock_stream(sku: str) -> str:
    """The event-log stream of one SKU's movements."""
    return f"stock-{sku}"
