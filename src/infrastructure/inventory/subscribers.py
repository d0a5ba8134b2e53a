"""Inventory's subscriber of the event log: a reservation follows its order's published events.
An order paid keeps its units (its reservation no longer expires); each shipment dispatched
commits its units where they left from, and the order shipped commits whatever it still holds
(all of it, for an order shipped in one go or a stream from before shipments; nothing, once its
shipments took every unit); cancelled or refunded in full releases them (nothing, when they
left), and a partial refund leaves them. A return received restocks or writes off its units.
A shipment and a return's receipt are applied once per event id, however often they come.

Inventory reads ordering's events by their published names and the order id in their payload
(`docs/contracts/agora.ordering.events.schema.json`), as an outside consumer would: it imports
nothing of ordering. Each reaction is an inventory command, idempotent per order, so it runs
as a stream reactor: many orders at once, each in order."""

from typing import Any
from uuid import UUID

from application.inventory.commands import (
    CommitReservations,
    CommitShipment,
    KeepReservations,
    ReceiveReturn,
    ReleaseReservations,
)
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
    # By event type alone: a return's events are on its own stream, whatever its type is named.
    interest = Interest.of(event_types=[*SETTLES, "ShipmentDispatched", "ReturnReceived"])

    def __init__(self, bus: CommandBus) -> None:
        self._bus = bus

    async def react(self, event: StoredEvent) -> None:
        command = command_for(event)
        if command is None:
            return  # its interest keeps the runner from handing it such events
        with acting_on(event):
            await self._bus.handle(command)


def command_for(event: StoredEvent) -> Command[Any] | None:
    payload, order_id = event.payload, UUID(str(event.payload["order_id"]))
    if event.event_type == "ShipmentDispatched":
        return CommitShipment(
            order_id=order_id,
            shipment_id=UUID(str(payload["shipment_id"])),
            lines=tuple((str(line["sku"]), int(line["quantity"])) for line in payload["lines"]),
            location=payload.get("location"),
            event_id=event.event_id,
        )
    if event.event_type == "ReturnReceived":
        return ReceiveReturn(
            return_id=UUID(str(payload["return_id"])),
            order_id=order_id,
            units=tuple(
                (
                    str(unit["sku"]),
                    int(unit["quantity"]),
                    unit["disposition"] == "restock",
                    unit.get("location"),
                )
                for unit in payload["units"]
            ),
            event_id=event.event_id,
        )
    if event.event_type == "RefundIssued" and not payload.get("refunded_in_full", True):
        return None  # part of the money went back (ADR 0037): the order still ships its units
    settle = SETTLES.get(event.event_type)
    return None if settle is None else settle(order_id=order_id)
