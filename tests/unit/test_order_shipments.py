"""An order ships in parcels: some units of some lines each, the order shipped once all have
left and delivered once all have arrived (ADR 0038)."""

import uuid
from datetime import timedelta

import pytest

from domain.ordering import events as ev
from domain.ordering.errors import (
    EmptyShipment,
    NotInOrder,
    OrderAlreadyShipped,
    OrderNotPaid,
    OrderNotShipped,
    ShipmentConflict,
    ShipmentExceedsOrder,
    ShipmentNotFound,
)
from domain.ordering.order import Order
from domain.ordering.shipments import legacy_shipment_id
from domain.ordering.values import LineUnits, OrderStatus
from tests.support.orders import NOW, line, placed

STAFF = uuid.uuid4()
LATER = NOW + timedelta(days=1)


def paid_two_lines(*, keep_events: bool = False) -> tuple[Order, str, str]:
    mugs, cups = line(quantity=3), line(quantity=1)
    order = placed(mugs, cups)
    order.confirm_stock(now=NOW)
    order.record_payment("pay_1", order.state.amount_due, now=NOW)
    if not keep_events:
        order.collect_events()
    return order, mugs.sku, cups.sku


def status(order: Order) -> OrderStatus:
    """Read afresh: mypy would keep the status an earlier assert narrowed."""
    return order.status


def dispatch(
    order: Order, *lines: LineUnits, tracking: str = "T-1", shipment: uuid.UUID | None = None
) -> uuid.UUID:
    shipment_id = shipment or uuid.uuid4()
    order.dispatch_shipment(
        shipment_id,
        lines or None,
        tracking_number=tracking,
        carrier="UPS",
        location="main",
        actor_id=STAFF,
        now=NOW,
    )
    return shipment_id


def test_parcels_ship_the_order_when_the_last_unit_leaves() -> None:
    order, mugs, cups = paid_two_lines()
    first = dispatch(order, LineUnits(sku=mugs, quantity=2))
    assert status(order) is OrderStatus.PARTIALLY_SHIPPED
    assert order.state.shipped_units == {mugs: 2}
    assert [type(e) for e in order.collect_events()] == [ev.ShipmentDispatched]
    second = dispatch(order, tracking="T-2")  # every unit left: 1 mug, 1 cup
    assert status(order) is OrderStatus.SHIPPED
    assert order.state.shipped_units == {mugs: 3, cups: 1}
    assert [type(e) for e in order.collect_events()] == [ev.ShipmentDispatched, ev.OrderShipped]
    assert [s.id for s in order.state.shipments] == [first, second]
    assert order.state.shipments[1].lines == (
        LineUnits(sku=mugs, quantity=1),
        LineUnits(sku=cups, quantity=1),
    )
    assert order.state.tracking_number == "T-2"
    assert order.state.first_shipped_at == NOW


def test_bad_shipments_are_refused_and_change_nothing() -> None:
    order, mugs, _ = paid_two_lines()
    dispatch(order, LineUnits(sku=mugs, quantity=2))
    order.collect_events()
    before = order.state
    with pytest.raises(ShipmentExceedsOrder):
        dispatch(order, LineUnits(sku=mugs, quantity=2), tracking="T-2")
    with pytest.raises(ShipmentExceedsOrder):  # one SKU named twice counts once
        dispatch(
            order, LineUnits(sku=mugs, quantity=1), LineUnits(sku=mugs, quantity=1), tracking="T-5"
        )
    with pytest.raises(NotInOrder):
        dispatch(order, LineUnits(sku="NO-SUCH", quantity=1), tracking="T-3")
    with pytest.raises(EmptyShipment):
        order.dispatch_shipment(
            uuid.uuid4(),
            (),
            tracking_number="T-4",
            carrier=None,
            location=None,
            actor_id=None,
            now=NOW,
        )
    with pytest.raises(OrderAlreadyShipped):  # nothing left once partly shipped
        order.cancel("changed my mind", actor_id=STAFF, now=NOW)
    with pytest.raises(ShipmentNotFound):
        order.deliver_shipment(uuid.uuid4(), actor_id=STAFF, now=NOW)
    with pytest.raises(OrderNotShipped):
        order.deliver(actor_id=STAFF, now=NOW)
    assert order.state == before
    assert order.collect_events() == []
    unpaid = placed(line())
    with pytest.raises(OrderNotPaid):
        dispatch(unpaid)


def test_a_shipment_reported_again_changes_nothing_and_a_conflicting_one_is_refused() -> None:
    order, mugs, _ = paid_two_lines()
    shipment = dispatch(order, LineUnits(sku=mugs, quantity=1))
    order.collect_events()
    dispatch(order, LineUnits(sku=mugs, quantity=1), shipment=shipment)  # same id
    dispatch(order, LineUnits(sku=mugs, quantity=1))  # same tracking, same lines, new id
    assert order.collect_events() == []
    with pytest.raises(ShipmentConflict):
        dispatch(order, LineUnits(sku=mugs, quantity=2), shipment=shipment)
    with pytest.raises(ShipmentConflict):
        dispatch(order, LineUnits(sku=mugs, quantity=1), tracking="T-9", shipment=shipment)
    order.ship("T-2", carrier=None, actor_id=STAFF, now=NOW)
    order.ship("T-2", carrier=None, actor_id=STAFF, now=NOW)  # as today's ship: once
    with pytest.raises(OrderAlreadyShipped):
        order.ship("T-3", carrier=None, actor_id=STAFF, now=NOW)
    assert [type(e) for e in order.collect_events()] == [ev.ShipmentDispatched, ev.OrderShipped]


def test_the_order_is_delivered_when_every_parcel_has_arrived() -> None:
    order, mugs, _ = paid_two_lines()
    first = dispatch(order, LineUnits(sku=mugs, quantity=3))
    order.deliver_shipment(first, actor_id=None, now=LATER)
    order.deliver_shipment(first, actor_id=None, now=LATER)  # again: nothing
    assert status(order) is OrderStatus.PARTIALLY_SHIPPED
    second = dispatch(order, tracking="T-2")
    order.collect_events()
    order.deliver_shipment(second, actor_id=None, now=LATER)
    assert [type(e) for e in order.collect_events()] == [ev.ShipmentDelivered, ev.OrderDelivered]
    assert status(order) is OrderStatus.DELIVERED
    assert order.state.last_delivered_at == LATER


def test_marking_the_order_delivered_delivers_every_parcel_left() -> None:
    order, mugs, _ = paid_two_lines()
    first = dispatch(order, LineUnits(sku=mugs, quantity=3))
    dispatch(order, tracking="T-2")
    order.deliver_shipment(first, actor_id=None, now=NOW)
    order.collect_events()
    order.deliver(actor_id=STAFF, now=LATER)
    assert [type(e) for e in order.collect_events()] == [ev.ShipmentDelivered, ev.OrderDelivered]
    assert [s.delivered_at for s in order.state.shipments] == [NOW, LATER]


def test_an_order_shipped_before_parcels_reads_as_one_shipment_of_everything() -> None:
    order, mugs, cups = paid_two_lines()
    history = [
        ev.OrderShipped(
            occurred_at=NOW, order_id=order.id, tracking_number="OLD", carrier="DHL", actor_id=None
        ),
        ev.OrderDelivered(occurred_at=LATER, order_id=order.id, actor_id=None),
    ]
    state = order.state
    for event in history:
        state = state.evolve(event)
    (whole,) = state.shipments
    assert whole.id == legacy_shipment_id(order.id)
    assert whole.tracking_number == "OLD"
    assert state.shipped_units == {mugs: 3, cups: 1}
    assert (state.first_shipped_at, state.last_delivered_at) == (NOW, LATER)
    assert state.status is OrderStatus.DELIVERED


def test_a_replayed_order_with_parcels_equals_the_live_one() -> None:
    live, mugs, _ = paid_two_lines(keep_events=True)
    first = dispatch(live, LineUnits(sku=mugs, quantity=1))
    live.deliver_shipment(first, actor_id=None, now=LATER)
    dispatch(live, tracking="T-2")
    live.deliver(actor_id=STAFF, now=LATER)
    replayed = Order.replay(live.collect_events())
    assert replayed.state == live.state
    assert replayed.status is OrderStatus.DELIVERED
