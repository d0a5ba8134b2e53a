"""Inventory handlers: lock and load the stock items, move units through their methods, save,
commit; each movement's event reaches the log with the commit.

Reservations belong to an order and are idempotent per order: asking again returns what the
order already holds, and settling twice finds nothing held the second time."""

from datetime import datetime
from uuid import UUID

from application.inventory import commands as c
from application.inventory.deps import InventoryDeps
from application.inventory.ports import InventoryUnitOfWork
from domain.inventory.errors import (
    BackorderLimitReached,
    InsufficientStock,
    ReservationExpired,
    UnknownLocation,
)
from domain.inventory.location import Location
from domain.inventory.stock import Reservation, StockItem
from domain.inventory.values import (
    DEFAULT_LOCATION,
    BackorderPolicy,
    ReservationStatus,
    StockLevel,
    check_quantity,
)
from domain.shared.sku import Sku

S = ReservationStatus


async def receive_stock(cmd: c.ReceiveStock, deps: InventoryDeps) -> StockLevel:
    """Units received fill the location's backorders first, oldest reservation first; what
    is left is available."""
    sku, now = Sku.parse(cmd.sku).value, deps.clock.now()
    async with deps.uow() as uow:
        (await location_of(uow, cmd.location)).check_active()
        item = (await uow.stock.get_many([sku]))[sku]
        item.receive(cmd.quantity, location=cmd.location, actor_id=cmd.actor_id, now=now)
        await fill_backorders(uow, item, cmd.location, now=now)
        await uow.stock.save([item])
        await uow.commit()
    return item.level


async def adjust_stock(cmd: c.AdjustStock, deps: InventoryDeps) -> StockLevel:
    sku = Sku.parse(cmd.sku).value
    async with deps.uow() as uow:
        await location_of(uow, cmd.location)
        item = (await uow.stock.get_many([sku]))[sku]
        item.adjust(
            cmd.delta,
            cmd.reason,
            location=cmd.location,
            actor_id=cmd.actor_id,
            now=deps.clock.now(),
        )
        await uow.stock.save([item])
        await uow.commit()
    return item.level


async def reserve_stock(cmd: c.ReserveStock, deps: InventoryDeps) -> list[Reservation]:
    wanted: dict[str, int] = {}
    for sku, quantity in cmd.lines:
        key = Sku.parse(sku).value
        wanted[key] = wanted.get(key, 0) + check_quantity(quantity)
    lines = sorted(wanted.items())
    now = deps.clock.now()
    async with deps.uow() as uow:
        # Locking first also serialises two deliveries of the same order's request: the second
        # finds the first's reservations below.
        items = await uow.stock.get_many(sku for sku, _ in lines)
        earlier = await uow.stock.reservations_of(cmd.order_id)
        if earlier:
            # A replayed request, even after release, commit or expiry: reserving again would
            # hold stock for an order that is already past this step.
            return earlier
        active = await uow.locations.active()
        available = {
            sku: {code: items[sku].level_at(code).available for code in active} for sku, _ in lines
        }
        allocation = deps.allocation.allocate(lines, available)
        reservations: list[Reservation] = []
        for sku, quantity in lines:
            at = {code: n for code, n in allocation.get(sku, {}).items() if n > 0}
            assert sum(at.values()) <= quantity, (sku, quantity, at)  # a strategy's mistake
            backorder_at: str | None = None
            short = _short(items[sku], quantity, at, active)
            if short:  # backordered where the rest of the line is, else at `main`
                backorder_at = next(iter(at), DEFAULT_LOCATION)
                if backorder_at not in active:
                    raise InsufficientStock(sku, requested=quantity, available=0)
                at.setdefault(backorder_at, 0)
            for code, units in at.items():
                backordered = short if short and code == backorder_at else 0
                reservations.append(
                    items[sku].reserve(
                        order_id=cmd.order_id,
                        location=code,
                        quantity=units + backordered,
                        backordered=backordered,
                        expires_at=now + cmd.hold_for,
                        now=now,
                    )
                )
        await uow.stock.save(items.values())
        await uow.commit()  # any InsufficientStock above rolled every line back
    return reservations


async def release_reservations(
    cmd: c.ReleaseReservations, deps: InventoryDeps
) -> list[Reservation]:
    async with deps.uow() as uow:
        held, items, _ = await _held_by(uow, cmd.order_id)
        now = deps.clock.now()
        released = [items[r.sku].release(r, expired=False, now=now) for r in held]
        await uow.stock.save(items.values())
        await uow.commit()
    return released


async def commit_reservations(cmd: c.CommitReservations, deps: InventoryDeps) -> list[Reservation]:
    async with deps.uow() as uow:
        held, items, lapsed = await _held_by(uow, cmd.order_id)
        if lapsed and not held:
            raise ReservationExpired(
                f"order {cmd.order_id}: its reservation {lapsed[0].status}; reserve again"
            )
        now = deps.clock.now()
        committed = [items[r.sku].commit(r, now=now) for r in held]
        await uow.stock.save(items.values())
        await uow.commit()
    return committed


async def keep_reservations(cmd: c.KeepReservations, deps: InventoryDeps) -> int:
    async with deps.uow() as uow:
        kept = await uow.stock.keep(cmd.order_id)
        await uow.commit()
    return kept


async def expire_reservations(cmd: c.ExpireReservations, deps: InventoryDeps) -> int:
    """Safe in every worker at once: each sweep reads the reservations again once it holds
    their SKUs' locks, and ends only those still held."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        due = await uow.stock.due(now, limit=cmd.batch)
        items = await uow.stock.get_many(r.sku for r in due)
        current = await uow.stock.reservations(r.id for r in due)
        expired = [
            items[r.sku].release(r, expired=True, now=now) for r in current if r.status is S.HELD
        ]
        await uow.stock.save(items.values())
        await uow.commit()
    return len(expired)


async def location_of(uow: InventoryUnitOfWork, code: str) -> Location:
    location = await uow.locations.get(code)
    if location is None:
        raise UnknownLocation(f"no stock location {code!r}")
    return location


async def fill_backorders(
    uow: InventoryUnitOfWork, item: StockItem, location: str, *, now: datetime
) -> None:
    """Units now on hand at the location go to its backordered reservations, oldest first."""
    if not item.level_at(location).backordered:
        return
    for reservation in await uow.stock.backordered(item.sku, location):
        units = min(reservation.backordered, item.level_at(location).available)
        if units <= 0:
            return
        item.fill(reservation, units, now=now)


def _short(item: StockItem, quantity: int, at: dict[str, int], active: list[str]) -> int:
    """The units of a line the locations cannot cover, if the SKU may backorder them."""
    covered = sum(at.values())
    short = quantity - covered
    if short <= 0:
        return 0
    available = sum(item.level_at(code).available for code in active)
    if item.policy is BackorderPolicy.NONE or not item.known:
        raise InsufficientStock(item.sku, requested=quantity, available=available)
    if short > item.backorder_room:
        raise BackorderLimitReached(
            item.sku, requested=quantity, available=available, limit_left=item.backorder_room
        )
    return short


async def _held_by(
    uow: InventoryUnitOfWork, order_id: UUID
) -> tuple[list[Reservation], dict[str, StockItem], list[Reservation]]:
    """The order's held reservations (read again under their SKUs' locks), the stock items
    they hold, and those that lapsed (expired or released before anyone settled them)."""
    reservations = await uow.stock.reservations_of(order_id)
    items = await uow.stock.get_many(r.sku for r in reservations)
    current = await uow.stock.reservations(r.id for r in reservations)
    held = [r for r in current if r.status is S.HELD]
    lapsed = [r for r in current if r.status in (S.EXPIRED, S.RELEASED)]
    return held, items, lapsed
