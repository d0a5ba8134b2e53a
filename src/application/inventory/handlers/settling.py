"""Inventory handlers that follow an order after it is paid: a shipment commits its units
where they left from; a return's received units are restocked or written off. Each applies
an event once: its id is claimed in the transaction that applies it."""

import logging

from application.inventory import commands as c
from application.inventory.deps import InventoryDeps
from application.inventory.handlers.stock import fill_backorders, location_of
from domain.inventory.settling import shipment_plan
from domain.inventory.stock import Reservation, StockItem
from domain.inventory.values import DEFAULT_LOCATION, ReservationStatus
from domain.shared.sku import Sku

log = logging.getLogger(__name__)


async def commit_shipment(cmd: c.CommitShipment, deps: InventoryDeps) -> list[Reservation]:
    """Commits what the order holds of the parcel's units at the parcel's location. Units it
    does not hold there are logged, not committed twice elsewhere: the check before shipping
    reads reservations this handler may not have settled yet, so two parcels sent in quick
    succession from one location can pass it for units held at another; the order's
    OrderShipped then commits those where they were held (ADR 0040 names this)."""
    lines = [(Sku.parse(sku).value, quantity) for sku, quantity in cmd.lines]
    async with deps.uow() as uow:
        reservations = await uow.stock.reservations_of(cmd.order_id)
        items = await uow.stock.get_many({r.sku for r in reservations} | {s for s, _ in lines})
        if not await uow.stock.claim(cmd.event_id):
            return []  # applied already
        current = await uow.stock.reservations(r.id for r in reservations)
        held = [r for r in current if r.status is ReservationStatus.HELD]
        plan, short = shipment_plan(held, lines, cmd.location)
        if short:
            log.warning(
                "shipment units not held where they left from",
                extra={"order_id": str(cmd.order_id), "location": cmd.location, "short": short},
            )
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
