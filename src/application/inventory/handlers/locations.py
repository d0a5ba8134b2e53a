"""Inventory handlers for stock locations and what staff move between them: open and
deactivate a location, transfer units, set a SKU's backorder policy."""

from application.inventory import commands as c
from application.inventory.deps import InventoryDeps
from application.inventory.handlers.stock import fill_backorders, location_of
from application.inventory.views import LocationView
from domain.inventory.errors import InvalidQuantity, UnknownSku
from domain.inventory.location import Location
from domain.inventory.values import StockLevel, check_location_code
from domain.shared.sku import Sku


def _view(location: Location) -> LocationView:
    return LocationView(code=location.code, name=location.name, active=location.active)


async def open_location(cmd: c.OpenLocation, deps: InventoryDeps) -> LocationView:
    location = Location.open(
        check_location_code(cmd.code), cmd.name, actor_id=cmd.actor_id, now=deps.clock.now()
    )
    async with deps.uow() as uow:
        await uow.locations.add(location)  # LocationExists if the code is taken
        await uow.commit()
    return _view(location)


async def deactivate_location(cmd: c.DeactivateLocation, deps: InventoryDeps) -> LocationView:
    async with deps.uow() as uow:
        location = await location_of(uow, cmd.code)
        location.deactivate(actor_id=cmd.actor_id, now=deps.clock.now())
        await uow.locations.save(location)
        await uow.commit()
    return _view(location)


async def transfer_stock(cmd: c.TransferStock, deps: InventoryDeps) -> StockLevel:
    """Under the SKU's lock: two transfers out of one location queue, and the second sees what
    the first left (the database refuses a negative availability besides)."""
    sku, now = Sku.parse(cmd.sku).value, deps.clock.now()
    if cmd.from_location == cmd.to_location:
        raise InvalidQuantity("a transfer moves units between two different locations")
    async with deps.uow() as uow:
        await location_of(uow, cmd.from_location)
        (await location_of(uow, cmd.to_location)).check_active()
        item = (await uow.stock.get_many([sku]))[sku]
        if not item.known:
            raise UnknownSku(f"no stock recorded for {sku}")
        item.transfer(
            cmd.quantity,
            source=cmd.from_location,
            target=cmd.to_location,
            actor_id=cmd.actor_id,
            now=now,
        )
        await fill_backorders(uow, item, cmd.to_location, now=now)
        await uow.stock.save([item])
        await uow.commit()
    return item.level


async def set_backorder_policy(cmd: c.SetBackorderPolicy, deps: InventoryDeps) -> StockLevel:
    sku = Sku.parse(cmd.sku).value
    async with deps.uow() as uow:
        item = (await uow.stock.get_many([sku]))[sku]
        item.set_policy(cmd.policy, cmd.limit, actor_id=cmd.actor_id, now=deps.clock.now())
        item.known = True
        await uow.stock.save([item])
        await uow.commit()
    return item.level
