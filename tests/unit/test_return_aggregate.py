"""The Return aggregate: the window, shipped units, what other returns ask back, receipts, the
refund computed from the frozen breakdown, and the events' round trip through the log."""

import json
import uuid
from datetime import timedelta

import pytest

from agora.bootstrap import build_registry
from domain.ordering.errors import (
    InvalidReturn,
    ReceiptExceedsReturn,
    ReturnExceedsShipped,
    ReturnNotApproved,
    ReturnWindowClosed,
)
from domain.ordering.events import RETURN_EVENTS
from domain.ordering.order import Order, OrderState
from domain.ordering.pricing.refunds import ShippingRefund
from domain.ordering.returns import Return
from domain.ordering.values import Disposition, ReceivedUnits, ReturnStatus
from domain.shared.events import DomainEvent
from domain.shared.money import Money
from tests.support.orders import NOW, line, placed
from tests.support.returns import STAFF, WINDOW, asked, requested, restocked, shipped


def received(
    aggregate: Return,
    order_state: OrderState,
    *units: ReceivedUnits,
    others: tuple[Return, ...] = (),
) -> None:
    aggregate.receive(
        units,
        order=order_state,
        others=[o.state for o in others],
        shipping=ShippingRefund.LAST_UNITS,
        actor_id=STAFF,
        now=NOW + timedelta(days=5),
    )


def test_a_return_goes_requested_approved_received_refunded() -> None:
    order = shipped(3)
    sku = order.state.lines[0].sku
    rma = requested(order, asked(sku, 2))
    assert rma.status is ReturnStatus.REQUESTED
    rma.approve(actor_id=STAFF, now=NOW)
    rma.approve(actor_id=STAFF, now=NOW)  # again: nothing new
    received(rma, order.state, restocked(sku, 2))
    assert rma.state.refund == Money.of("20.00", "EUR")
    rma.mark_refunded("re-1", now=NOW)
    rma.mark_refunded("re-1", now=NOW)  # a replayed step: nothing new
    assert rma.state.status == ReturnStatus.REFUNDED
    names = [type(e).__name__ for e in rma.collect_events()]
    assert names == ["ReturnRequested", "ReturnApproved", "ReturnReceived", "ReturnRefunded"]
    assert Return.replay(_events_of(order, sku)).status is ReturnStatus.REFUNDED


def _events_of(order: Order, sku: str) -> list[DomainEvent]:
    rma = requested(order, asked(sku, 1))
    rma.approve(actor_id=STAFF, now=NOW)
    received(rma, order.state, restocked(sku, 1))
    rma.mark_refunded("re-1", now=NOW)
    return rma.collect_events()


def test_only_shipped_units_within_the_window() -> None:
    unshipped = placed(line("10.00", 2))
    with pytest.raises(ReturnExceedsShipped):
        requested(unshipped, asked(unshipped.state.lines[0].sku, 1))
    order = shipped(2)
    sku = order.state.lines[0].sku
    with pytest.raises(ReturnWindowClosed):
        Return.request(
            return_id=uuid.uuid4(),
            order=order.state,
            lines=[asked(sku, 1)],
            others=[],
            actor_id=None,
            window=WINDOW,
            now=NOW + WINDOW + timedelta(seconds=1),
        )
    with pytest.raises(ReturnExceedsShipped):
        requested(order, asked(sku, 3))
    with pytest.raises(ReturnExceedsShipped):
        requested(order, asked("NOT-IN-ORDER", 1))
    for bad in ([], [asked(sku, 1), asked(sku, 1)], [asked(sku, 1, reason=" ")]):
        with pytest.raises(InvalidReturn):
            requested(order, *bad)


def test_units_other_returns_ask_back_count_unless_they_were_refused() -> None:
    order = shipped(3)
    sku = order.state.lines[0].sku
    first = requested(order, asked(sku, 2))
    with pytest.raises(ReturnExceedsShipped):
        requested(order, asked(sku, 2), others=(first,))
    requested(order, asked(sku, 1), others=(first,))
    first.refuse("not ours", actor_id=STAFF, now=NOW)
    requested(order, asked(sku, 3), others=(first,))


def test_a_receipt_needs_an_approval_and_no_more_units_than_it_approved() -> None:
    order = shipped(3)
    sku = order.state.lines[0].sku
    rma = requested(order, asked(sku, 2))
    with pytest.raises(ReturnNotApproved):
        received(rma, order.state, restocked(sku, 1))
    rma.approve(actor_id=STAFF, now=NOW)
    with pytest.raises(ReceiptExceedsReturn):
        received(rma, order.state, restocked(sku, 3))
    with pytest.raises(ReceiptExceedsReturn):  # a restock names its location
        received(
            rma, order.state, ReceivedUnits(sku=sku, quantity=1, disposition=Disposition.RESTOCK)
        )
    with pytest.raises(ReturnNotApproved):
        rma.refuse("too late", actor_id=STAFF, now=NOW)
    written_off = ReceivedUnits(sku=sku, quantity=1, disposition=Disposition.WRITE_OFF)
    received(rma, order.state, restocked(sku, 1), written_off)
    assert rma.state.refund == Money.of("20.00", "EUR")  # written-off units are refunded too
    with pytest.raises(ReturnNotApproved):
        received(rma, order.state, restocked(sku, 1))


def test_a_later_return_refunds_what_is_left_of_the_line() -> None:
    order = shipped(3)
    sku = order.state.lines[0].sku
    first = requested(order, asked(sku, 1))
    first.approve(actor_id=STAFF, now=NOW)
    received(first, order.state, restocked(sku, 1))
    second = requested(order, asked(sku, 2), others=(first,))
    second.approve(actor_id=STAFF, now=NOW)
    received(second, order.state, restocked(sku, 2), others=(first,))
    assert first.state.refund is not None
    assert second.state.refund is not None
    assert first.state.refund + second.state.refund == order.state.breakdown.total


def test_every_return_event_type_round_trips_through_the_log_format() -> None:
    registry = build_registry()
    order = shipped(3)
    sku = order.state.lines[0].sku
    events = _events_of(order, sku)
    refused = requested(order, asked(sku, 1))
    refused.refuse("worn", actor_id=STAFF, now=NOW)
    events += refused.collect_events()
    assert {type(e) for e in events} == set(RETURN_EVENTS)
    for event in events:
        entry, payload = registry.serialize(event)
        stored = json.loads(json.dumps(payload))
        assert registry.deserialize(entry.name, entry.version, stored) == event
