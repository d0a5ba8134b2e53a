"""Inventory handlers: validate, change stock atomically, record events, commit."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from application.inventory.commands import (
    AdjustStock,
    CommitReservations,
    ExpireReservations,
    KeepReservations,
    ReceiveStock,
    ReleaseReservations,
    ReserveStock,
)
from application.inventory.ports import InventoryUnitOfWorkFactory, Movement, Reservation
from application.shared.clock import Clock
from domain.inventory.errors import ReservationExpired
from domain.inventory.events import (
    StockAdjusted,
    StockCommitted,
    StockReceived,
    StockReleased,
    StockReserved,
)
from domain.inventory.stock import StockLevel, check_adjustment, check_quantity
from domain.shared.sku import Sku


@dataclass(frozen=True, kw_only=True)
class InventoryDeps:
    uow: InventoryUnitOfWorkFactory
    clock: Clock


async def receive_stock(cmd: ReceiveStock, *, deps: InventoryDeps) -> StockLevel:
    sku, quantity, now = Sku.parse(cmd.sku), check_quantity(cmd.quantity), deps.clock.now()
    async with deps.uow() as uow:
        await uow.stock.lock([sku.value])
        level = await uow.stock.receive(sku, quantity, Movement(at=now, actor_id=cmd.actor_id))
        uow.record(
            sku.value,
            StockReceived(occurred_at=now, sku=sku.value, quantity=quantity, on_hand=level.on_hand),
        )
        await uow.commit()
    return level


async def adjust_stock(cmd: AdjustStock, *, deps: InventoryDeps) -> StockLevel:
    sku, reason, now = Sku.parse(cmd.sku), check_adjustment(cmd.delta, cmd.reason), deps.clock.now()
    async with deps.uow() as uow:
        await uow.stock.lock([sku.value])
        movement = Movement(at=now, actor_id=cmd.actor_id, reason=reason)
        level = await uow.stock.adjust(sku, cmd.delta, movement)
        uow.record(
            sku.value,
            StockAdjusted(
                occurred_at=now,
                sku=sku.value,
                delta=cmd.delta,
                reason=reason,
                on_hand=level.on_hand,
            ),
        )
        await uow.commit()
    return level


async def reserve_stock(cmd: ReserveStock, *, deps: InventoryDeps) -> list[Reservation]:
    # Sorted by SKU so that two orders reserving the same SKUs lock them in one order: no
    # deadlock between them.
    lines = sorted((Sku.parse(sku), check_quantity(qty)) for sku, qty in cmd.lines)
    now = deps.clock.now()
    async with deps.uow() as uow:
        # Locking first also serialises two deliveries of the same order's request: the second
        # finds the first's reservations below.
        await uow.stock.lock(sku.value for sku, _ in lines)
        earlier = await uow.stock.reservations_of(cmd.order_id)
        if earlier:
            # A replayed request, even after release, commit or expiry: reserving again would
            # hold stock for an order that is already past this step.
            return earlier
        reservations = []
        for sku, quantity in lines:
            reservation = Reservation(
                id=uuid.uuid4(),
                order_id=cmd.order_id,
                sku=sku.value,
                quantity=quantity,
                expires_at=now + cmd.hold_for,
            )
            await uow.stock.reserve(sku, reservation, Movement(at=now))
            uow.record(sku.value, _reserved(reservation, now))
            reservations.append(reservation)
        await uow.commit()  # any InsufficientStock above rolled every line back
    return reservations


async def release_reservations(
    cmd: ReleaseReservations, *, deps: InventoryDeps
) -> list[Reservation]:
    return await _settle(cmd.order_id, outcome="released", deps=deps)


async def commit_reservations(cmd: CommitReservations, *, deps: InventoryDeps) -> list[Reservation]:
    return await _settle(cmd.order_id, outcome="committed", deps=deps)


async def keep_reservations(cmd: KeepReservations, *, deps: InventoryDeps) -> int:
    async with deps.uow() as uow:
        kept = await uow.stock.keep(cmd.order_id)
        await uow.commit()
    return kept


async def expire_reservations(cmd: ExpireReservations, *, deps: InventoryDeps) -> int:
    now = deps.clock.now()
    async with deps.uow() as uow:
        due = await uow.stock.due(now, limit=cmd.batch)
        await uow.stock.lock(r.sku for r in due)
        expired = await uow.stock.expire(due, now=now)
        for reservation in expired:
            uow.record(reservation.sku, _released(reservation, now, reason="expired"))
        await uow.commit()
    return len(expired)


async def _settle(order_id: uuid.UUID, *, outcome: str, deps: InventoryDeps) -> list[Reservation]:
    """Idempotent: settling an order twice finds nothing held the second time."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        reservations = await uow.stock.reservations_of(order_id)
        await uow.stock.lock(r.sku for r in reservations)
        settled = await uow.stock.settle(order_id, outcome=outcome, movement=Movement(at=now))
        lapsed = [r for r in reservations if r.status in ("expired", "released")]
        if outcome == "committed" and not settled and lapsed:
            raise ReservationExpired(
                f"order {order_id}: its reservation {lapsed[0].status}; reserve again"
            )
        for reservation in settled:
            event = (
                _committed(reservation, now)
                if outcome == "committed"
                else _released(reservation, now, reason="released")
            )
            uow.record(reservation.sku, event)
        await uow.commit()
    return settled


def _reserved(r: Reservation, now: datetime) -> StockReserved:
    return StockReserved(
        occurred_at=now, sku=r.sku, quantity=r.quantity, reservation_id=r.id, order_id=r.order_id
    )


def _released(r: Reservation, now: datetime, *, reason: str) -> StockReleased:
    return StockReleased(
        occurred_at=now,
        sku=r.sku,
        quantity=r.quantity,
        reservation_id=r.id,
        order_id=r.order_id,
        reason=reason,
    )


def _committed(r: Reservation, now: datetime) -> StockCommitted:
    return StockCommitted(
        occurred_at=now, sku=r.sku, quantity=r.quantity, reservation_id=r.id, order_id=r.order_id
    )
