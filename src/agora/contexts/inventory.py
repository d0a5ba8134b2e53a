"""Inventory wired: stock items, reservations and the ledger in PostgreSQL, the settling of
reservations as their orders move on, and the periodic release of expired reservations."""

from functools import partial

from agora.platform import Job, Platform, Wiring
from application.inventory import commands as c
from application.inventory.deps import InventoryDeps
from application.inventory.handlers import locations, settling, stock
from application.inventory.queries import InventoryQueries
from application.shared.bus import CommandBus
from domain.inventory.allocation import STRATEGIES
from domain.inventory.events import EVENTS
from infrastructure.inventory.readers import SqlStockReader
from infrastructure.inventory.subscribers import OrderStockSettler
from infrastructure.inventory.unit_of_work import SqlInventoryUnitOfWork

NAME = "inventory"
__all__ = ["EVENTS", "NAME", "dependencies", "queries", "register", "wire"]


def wire(p: Platform) -> Wiring:
    register(p.bus, dependencies(p))
    sweep = Job(
        "reservation-sweep",
        every=p.settings.worker.reservation_sweep_seconds,
        command=c.ExpireReservations(batch=500),
    )
    return Wiring(subscribers=[OrderStockSettler(p.bus)], jobs=[sweep])


def dependencies(p: Platform) -> InventoryDeps:
    return InventoryDeps(
        uow=partial(SqlInventoryUnitOfWork, p.engine, p.registry),
        clock=p.clock,
        allocation=STRATEGIES[p.settings.inventory.allocation](),
    )


def register(bus: CommandBus, deps: InventoryDeps) -> None:
    """The context's command handlers on the bus (tests register them with fakes)."""
    bus.register(c.ReceiveStock, stock.receive_stock, deps)
    bus.register(c.AdjustStock, stock.adjust_stock, deps)
    bus.register(c.ReserveStock, stock.reserve_stock, deps)
    bus.register(c.KeepReservations, stock.keep_reservations, deps)
    bus.register(c.ReleaseReservations, stock.release_reservations, deps)
    bus.register(c.CommitReservations, stock.commit_reservations, deps)
    bus.register(c.ExpireReservations, stock.expire_reservations, deps)
    bus.register(c.OpenLocation, locations.open_location, deps)
    bus.register(c.DeactivateLocation, locations.deactivate_location, deps)
    bus.register(c.TransferStock, locations.transfer_stock, deps)
    bus.register(c.SetBackorderPolicy, locations.set_backorder_policy, deps)
    bus.register(c.CommitShipment, settling.commit_shipment, deps)
    bus.register(c.ReceiveReturn, settling.receive_return, deps)


def queries(p: Platform) -> InventoryQueries:
    return InventoryQueries(stock=SqlStockReader(p.engine))
