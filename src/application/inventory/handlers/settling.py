"""Inventory handlers that follow an order after it is paid: a shipment commits its units
where they left from; a return's received units are restocked or written off. Each applies
an event once: its id is claimed in the transaction that applies it."""

from application.inventory import commands as c
from application.inventory.deps import InventoryDeps
from application.inventory.handlers.stock import fill_backorders, location_of
from domain.inventory.settling import shipment_plan
from domain.inventory.stock import Reservation, StockItem
from domain.inventory.values import DEFAULT_LOCATION, ReservationStatus
from domain.shared.sku import Sku


async def commit_shipment(cmd: c.CommitShipment, deps: InventoryDeps) -> list[Reservation]:
    """Commits what the order holds of the parcel's units; units it does not hold (checked
    before shipping, so only by a race with an expiry) are not committed twice elsewhere."""
    lines = [(Sku.parse(sku).value, quantity) for sku, quantity in cmd.lines]
    async with deps.uow() as uow:
        reservations = await uow.stock.reservations_of(cmd.order_id)
        items = await uow.stock.get_many({r.sku for r in reservations} | {s for s, _ in lines})
        if not await uow.stock.claim(cmd.event_id):
            return []  # applied already
        current = await uow.stock.reservations(r.id for r in reservations)
        held = [r for r in current if r.status is ReservationStatus.HELD]
        plan, _ = shipment_plan(held, lines, cmd.location)
        now = deps.clock.now()
        committed = [
            items[r.sku].commit(r, quantity=units, shipment_id=cmd.shipment_id, now=now)
            for r, units in plan
        ]
        await uow.stock.save(items.values())
        await uow.commit()
    return committed


async def receive_return(cmd: c.ReceiveReturn, deps: InventoryDeps) -> int:
    units = [(Sku.parse(sku).value, n, restock, where) for sku, n, restock, where in cmd.units]
    now = deps.clock.now()
    async with deps.uow() as uow:
        items: dict[str, StockItem] = await uow.stock.get_many(sku for sku, *_ in units)
        if not await uow.stock.claim(cmd.event_id):
            return 0
        restocked = 0
        for sku, quantity, restock, where in units:
            item = items[sku]
            if not restock:
                item.write_off(quantity, return_id=cmd.return_id, order_id=cmd.order_id, now=now)
                continue
            location = where or DEFAULT_LOCATION
            await location_of(uow, location)  # an inactive one may take its own units back
            item.restock(
                quantity,
                location=location,
                return_id=cmd.return_id,
                order_id=cmd.order_id,
                now=now,
            )
            await fill_backorders(uow, item, location, now=now)
            restocked += quantity
        await uow.stock.save(items.values())
        await uow.commit()
    return restocked
