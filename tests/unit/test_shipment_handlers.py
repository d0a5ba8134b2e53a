"""Shipping an order through its handlers: the stock location is asked before a parcel leaves,
a refusal changes nothing, and deliveries of parcels deliver the order (ADR 0038)."""

from uuid import UUID

import pytest

from application.ordering.commands import DeliverShipment, MarkDelivered, ShipOrder
from application.ordering.deps import OrderingDeps
from application.ordering.handlers.fulfilment import FulfilmentProcess
from application.ordering.handlers.order import change_order, check_out, ship_order
from application.ordering.ports import LocationLacksUnits
from domain.ordering.errors import ShipmentExceedsOrder
from domain.ordering.values import LineUnits, OrderStatus
from tests.support.fakes.ordering import FakeStock, Store, ordering_deps
from tests.unit.test_ordering_handlers import checkout, run_process, shop


async def paid_order() -> tuple[Store, FakeStock, OrderingDeps, UUID]:
    store, stock, payments = shop()  # 3 mugs
    deps = ordering_deps(store, stock, payments)
    order_id = (await check_out(checkout(), deps)).value.id
    await run_process(store, FulfilmentProcess(deps))
    return store, stock, deps, order_id


def ship(
    order_id: UUID, tracking: str, *lines: LineUnits, location: str | None = None
) -> ShipOrder:
    return ShipOrder(
        order_id=order_id,
        tracking_number=tracking,
        carrier="UPS",
        actor_id=None,
        lines=lines or None,
        location=location,
    )


async def test_a_location_without_the_units_refuses_the_shipment_and_nothing_changes() -> None:
    store, stock, deps, order_id = await paid_order()
    stock.lacking.add("north")
    before = store.order_events(order_id)
    with pytest.raises(LocationLacksUnits):
        await ship_order(ship(order_id, "T-1", location="north"), deps)
    with pytest.raises(ShipmentExceedsOrder):
        await ship_order(ship(order_id, "T-1", LineUnits(sku="MUG", quantity=4)), deps)
    assert store.order_events(order_id) == before
    assert ("check_shipment", order_id) in stock.calls


async def test_parcels_ship_and_deliver_the_order_and_a_report_sent_again_changes_nothing() -> None:
    store, stock, deps, order_id = await paid_order()
    first = await ship_order(ship(order_id, "T-1", LineUnits(sku="MUG", quantity=2)), deps)
    assert first.status is OrderStatus.PARTIALLY_SHIPPED
    again = await ship_order(ship(order_id, "T-1", LineUnits(sku="MUG", quantity=2)), deps)
    assert again == first
    calls = len(stock.calls)
    shipped = await ship_order(ship(order_id, "T-2", location="main"), deps)
    assert shipped.status is OrderStatus.SHIPPED
    assert shipped.shipped_units == {"MUG": 3}
    assert len(stock.calls) == calls + 1  # asked once, for the new parcel
    delivered = await change_order(
        DeliverShipment(order_id=order_id, shipment_id=shipped.shipments[0].id, actor_id=None),
        deps,
    )
    assert delivered.status is OrderStatus.SHIPPED
    done = await change_order(MarkDelivered(order_id=order_id, actor_id=None), deps)
    assert done.status is OrderStatus.DELIVERED
    assert [type(e).__name__ for e in store.order_events(order_id)][4:] == [
        "ShipmentDispatched",
        "ShipmentDispatched",
        "OrderShipped",
        "ShipmentDelivered",
        "ShipmentDelivered",
        "OrderDelivered",
    ]
