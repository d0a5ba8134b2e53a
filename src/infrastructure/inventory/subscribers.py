"""Inventory's subscriber of the event log: a reservation follows its order's published events.
An order paid keeps its units (its reservation no longer expires); shipped commits them;
cancelled or refunded in full releases them (nothing, when they left with a shipment); a
partial refund leaves them.

Inventory reads ordering's events by their published names and the order id in their payload
(`docs/contracts/agora.ordering.events.schema.json`), as an outside consumer would: it imports
nothing of ordering. Each reaction is an inventory command, idempotent per order, so it runs
as a stream reactor: many orders at once, each in order."""

from typing import Any
from uuid import UUID

from application.inventory.commands import CommitReservations, KeepReservations, ReleaseReservations
from application.shared.bus import Command, CommandBus
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.subscribers import FailurePolicy, Interest, acting_on

SETTLES: dict[str, type[KeepReservations | CommitReservations | ReleaseReservations]] = {
    "OrderPaid": KeepReservations,
    "OrderShipped": CommitReservations,
    "OrderCancelled": ReleaseReservations,
    "RefundIssued": ReleaseReservations,
}


class OrderStockSettler:
    """Settles reservations as their orders move on, by commands in their own transactions; one
    that keeps failing (a reservation lapsed before its order shipped) is parked for an operator."""

    name = "order-stock"
    on_failure = FailurePolicy.PARK
    interest = Interest.of(stream_types=["order"], event_types=SETTLES)

    def __init__(self, bus: CommandBus) -> None:
        self._bus = bus

    async def react(self, event: StoredEvent) -> None:
        settle = SETTLES.get(event.event_type)
        if settle is None:
            return  # its interest keeps the runner from handing it such events
        if event.event_type == "RefundIssued" and not event.payload.get("refunded_in_full", True):
            return  # part of the money went back (ADR 0037): the order still ships its units
        command: Command[Any] = settle(order_id=UUID(str(event.payload["order_id"])))
        with acting_on(event):
            await self._bus.handle(command)
