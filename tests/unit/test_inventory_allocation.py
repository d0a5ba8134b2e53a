"""The allocation strategies, the shipment rule, and how inventory reads events: stock events
from before stock locations, and ordering's shipments and returns."""

import uuid
from datetime import UTC, datetime

from application.inventory.commands import CommitShipment, ReceiveReturn
from domain.inventory.allocation import InCodeOrder, OneLocationFirst
from domain.inventory.events import StockReserved
from domain.inventory.settling import shipment_plan, why_not
from domain.inventory.stock import Reservation
from domain.ordering.events import ReturnReceived, ShipmentDispatched
from domain.ordering.values import Disposition, LineUnits, ReceivedUnits
from domain.shared.money import Money
from infrastructure.eventlog.store import StoredEvent
from infrastructure.inventory.subscribers import command_for
from tests.support.eventlog import REGISTRY


def test_one_location_with_every_line_whole_wins() -> None:
    available = {"MUG": {"a": 1, "b": 5, "c": 9}, "CUP": {"a": 5, "b": 2, "c": 0}}
    assert OneLocationFirst().allocate([("MUG", 2), ("CUP", 2)], available) == {
        "MUG": {"b": 2},
        "CUP": {"b": 2},
    }


def test_without_one_it_splits_over_as_few_locations_as_it_can() -> None:
    available = {"MUG": {"a": 1, "b": 3, "c": 0}, "CUP": {"a": 0, "b": 0, "c": 4}}
    allocation = OneLocationFirst().allocate([("MUG", 3), ("CUP", 4)], available)
    assert allocation == {"MUG": {"b": 3}, "CUP": {"c": 4}}
    short = OneLocationFirst().allocate([("MUG", 5)], available)
    assert short == {"MUG": {"b": 3, "a": 1}}  # all it can; the caller refuses the rest


def test_in_code_order_draws_down_the_first_code_first() -> None:
    available = {"MUG": {"b": 3, "a": 1}}
    assert InCodeOrder().allocate([("MUG", 3)], available) == {"MUG": {"a": 1, "b": 2}}


def test_a_stock_event_from_before_locations_happened_at_main() -> None:
    order, reservation = uuid.uuid4(), uuid.uuid4()
    v1 = {
        "occurred_at": datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
        "sku": "MUG-1",
        "quantity": 2,
        "reservation_id": str(reservation),
        "order_id": str(order),
        "expires_at": None,
    }
    event = REGISTRY.deserialize("StockReserved", 1, v1)
    assert isinstance(event, StockReserved)
    assert (event.location, event.backordered, event.quantity) == ("main", 0, 2)


def test_a_shipment_takes_the_held_units_where_it_leaves_from() -> None:
    def held(location: str, quantity: int) -> Reservation:
        return Reservation(
            id=uuid.uuid4(),
            order_id=uuid.uuid4(),
            sku="MUG",
            quantity=quantity,
            expires_at=None,
            location=location,
        )

    a, b = held("a", 2), held("b", 3)
    plan, short = shipment_plan([a, b], [("MUG", 4)], None)
    assert ([(r.location, n) for r, n in plan], short) == ([("a", 2), ("b", 2)], {})
    plan, short = shipment_plan([a, b], [("MUG", 4)], "b")
    assert short == {"MUG": 1}
    assert why_not(short, "b") == "not reserved at b: 1 of MUG"


def test_the_stock_settler_reads_shipments_and_returns_as_the_log_stores_them() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    order, shipment, return_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    dispatched = ShipmentDispatched(
        occurred_at=now,
        order_id=order,
        shipment_id=shipment,
        lines=(LineUnits(sku="MUG-1", quantity=2),),
        tracking_number="T-1",
        carrier=None,
        location="berlin",
        actor_id=None,
    )
    received = ReturnReceived(
        occurred_at=now,
        return_id=return_id,
        order_id=order,
        units=(
            ReceivedUnits(sku="MUG-1", quantity=1, disposition=Disposition.RESTOCK, location="b"),
            ReceivedUnits(sku="MUG-1", quantity=2, disposition=Disposition.WRITE_OFF),
        ),
        refund=Money.of("1.00", "EUR"),
        actor_id=None,
    )
    commands = []
    for domain_event in (dispatched, received):
        kind, payload = REGISTRY.serialize(domain_event)
        stored = StoredEvent(
            position=1,
            transaction_id=1,
            stream_type="any",
            stream_id="any-1",
            stream_version=1,
            event_id=uuid.uuid4(),
            event_type=kind.name,
            schema_version=kind.version,
            payload=payload,
            metadata={},
            recorded_at=now,
        )
        commands.append((command_for(stored), stored.event_id))
    (ship, ship_event), (back, back_event) = commands
    assert ship == CommitShipment(
        order_id=order,
        shipment_id=shipment,
        lines=(("MUG-1", 2),),
        location="berlin",
        event_id=ship_event,
    )
    assert back == ReceiveReturn(
        return_id=return_id,
        order_id=order,
        units=(("MUG-1", 1, True, "b"), ("MUG-1", 2, False, None)),
        event_id=back_event,
    )
