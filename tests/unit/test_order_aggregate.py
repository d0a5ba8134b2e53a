"""The Order aggregate: transitions, illegal moves, idempotent process steps, replay."""

import dataclasses
import json
import uuid
from collections.abc import Callable

import pytest

from agora.bootstrap import build_registry
from domain.ordering import events as ev
from domain.ordering.errors import (
    CurrencyMismatch,
    EmptyOrder,
    InvalidAddress,
    MixedCurrencies,
    OrderAlreadyRefunded,
    OrderAlreadyShipped,
    OrderNotCancellable,
    OrderNotPaid,
    OrderNotRefundable,
    OrderNotShipped,
    PaymentMismatch,
)
from domain.ordering.events import ORDER_EVENTS
from domain.ordering.order import Order
from domain.ordering.pricing.pipeline import price
from domain.ordering.values import OrderStatus, ShippingAddress
from domain.shared.events import DomainEvent
from domain.shared.money import Money
from tests.support.orders import ADDRESS, NOW, line, paid, placed, pricing
from tests.support.pricing import gift_card

STAFF = uuid.uuid4()


def test_placing_totals_the_lines_at_their_prices() -> None:
    order = placed(line("10.00", 2), line("2.50", 3))
    assert order.status is OrderStatus.PLACED
    assert order.state.total == Money.of("27.50", "EUR")
    assert [type(e) for e in order.collect_events()] == [ev.OrderPlaced]


def test_an_order_needs_lines_in_one_currency_and_a_full_address() -> None:
    nothing = dataclasses.replace(pricing(), lines=())
    with pytest.raises(EmptyOrder):
        Order.place(
            order_id=uuid.uuid4(),
            customer_id=uuid.uuid4(),
            pricing=nothing,
            breakdown=price(nothing),
            shipping_address=ADDRESS,
            now=NOW,
        )
    with pytest.raises(CurrencyMismatch):  # the pipeline never converts
        placed(line(currency="EUR"), line(currency="USD"))
    euros, dollars = pricing(line(currency="EUR")), pricing(line(currency="USD"))
    with pytest.raises(MixedCurrencies):  # a breakdown that is not of these inputs
        Order.place(
            order_id=uuid.uuid4(),
            customer_id=uuid.uuid4(),
            pricing=euros,
            breakdown=price(dollars),
            shipping_address=ADDRESS,
            now=NOW,
        )
    with pytest.raises(InvalidAddress):
        ShippingAddress(name=" ", line1="x", line2=None, city="x", postal_code="1", country="FR")
    with pytest.raises(InvalidAddress):
        ShippingAddress(name="x", line1="x", line2=None, city="x", postal_code="1", country="fr")


def test_the_whole_life_and_its_events() -> None:
    order = paid()
    order.ship("TRACK-1", carrier="UPS", actor_id=STAFF, now=NOW)
    order.deliver(actor_id=STAFF, now=NOW)
    assert order.status is OrderStatus.DELIVERED
    assert [type(e).__name__ for e in order.collect_events()] == [
        "OrderPlaced",
        "OrderStockReserved",
        "PaymentAuthorized",
        "OrderPaid",
        "ShipmentDispatched",
        "OrderShipped",
        "ShipmentDelivered",
        "OrderDelivered",
    ]
    assert order.version == 8


def test_a_replayed_order_equals_the_live_one() -> None:
    live = paid()
    live.capture("cap_1", actor_id=None, now=NOW)
    live.cancel("changed my mind", actor_id=live.state.customer_id, now=NOW)
    live.refund("re_1", reason="cancelled after payment", actor_id=STAFF, now=NOW)
    replayed = Order.replay(live.collect_events())
    assert replayed.state == live.state
    assert replayed.version == live.version == 8


@pytest.mark.parametrize(
    ("setup", "act", "error"),
    [
        (placed, lambda o: o.ship("T", carrier=None, actor_id=STAFF, now=NOW), OrderNotPaid),
        (placed, lambda o: o.deliver(actor_id=STAFF, now=NOW), OrderNotShipped),
        (placed, lambda o: o.refund("r", reason="x", actor_id=STAFF, now=NOW), OrderNotRefundable),
    ],
)
def test_illegal_transitions_are_refused_with_their_own_error(
    setup: Callable[[], Order], act: Callable[[Order], None], error: type[Exception]
) -> None:
    order = setup()
    before = order.version
    with pytest.raises(error):
        act(order)
    assert order.version == before


def test_a_shipped_order_cannot_be_cancelled_or_shipped_under_another_number() -> None:
    order = paid()
    order.ship("TRACK-1", carrier=None, actor_id=STAFF, now=NOW)
    with pytest.raises(OrderAlreadyShipped):
        order.cancel("too late", actor_id=STAFF, now=NOW)
    with pytest.raises(OrderAlreadyShipped):
        order.ship("TRACK-2", carrier=None, actor_id=STAFF, now=NOW)
    order.ship("TRACK-1", carrier=None, actor_id=STAFF, now=NOW)  # the same report again
    assert order.version == 6  # ShipmentDispatched, then OrderShipped


def test_a_refund_is_issued_once_and_a_cancelled_order_is_over() -> None:
    order = paid()
    order.capture("cap_1", actor_id=None, now=NOW)
    order.refund("re_1", reason="damaged", actor_id=STAFF, now=NOW)
    with pytest.raises(OrderAlreadyRefunded):
        order.refund("re_2", reason="again", actor_id=STAFF, now=NOW)
    unpaid = placed()
    unpaid.cancel("no longer needed", actor_id=STAFF, now=NOW)
    with pytest.raises(OrderNotCancellable):
        unpaid.cancel("twice", actor_id=STAFF, now=NOW)
    with pytest.raises(OrderNotRefundable):
        unpaid.refund("re_3", reason="nothing was paid", actor_id=STAFF, now=NOW)


def test_process_steps_taken_twice_change_nothing_the_second_time() -> None:
    order = placed()
    order.confirm_stock(now=NOW)
    order.confirm_stock(now=NOW)
    order.record_payment("pay_1", order.state.total, now=NOW)
    order.record_payment("pay_1", order.state.total, now=NOW)
    order.decline_payment("late decline", now=NOW)
    order.reject_for_stock("late news", now=NOW)
    assert order.version == 4
    assert order.status is OrderStatus.PAID


def test_a_payment_that_arrives_after_cancellation_is_recorded_for_its_void() -> None:
    order = placed()
    order.confirm_stock(now=NOW)
    order.expire_payment("payment not received in time", now=NOW)
    order.record_payment("pay_late", order.state.total, now=NOW)
    assert order.status is OrderStatus.CANCELLED
    assert order.state.awaits_capture  # the process voids it (ADR 0037)
    order.void_payment("authorised after cancellation", actor_id=None, now=NOW)
    assert not order.state.awaits_capture
    with pytest.raises(PaymentMismatch):
        placed().record_payment("pay_x", Money.of("1.00", "EUR"), now=NOW)


def test_declined_and_failed_payments_cancel_the_order() -> None:
    declined, failed = placed(), placed()
    for order in (declined, failed):
        order.confirm_stock(now=NOW)
    declined.decline_payment("card declined", now=NOW)
    failed.fail_payment("no answer", now=NOW)
    assert declined.state.cancel_reason == "payment declined: card declined"
    assert failed.state.cancel_reason == "payment failed: no answer"
    cancelled = declined.collect_events()[-1]
    assert isinstance(cancelled, ev.OrderCancelled)
    assert not cancelled.after_payment


def every_event() -> list[DomainEvent]:
    """At least one event of every order event type."""
    a = paid()
    a.ship("T-1", carrier="DHL", actor_id=STAFF, now=NOW)
    a.deliver(actor_id=STAFF, now=NOW)
    b, c, d, e = placed(), placed(), placed(), paid()
    b.confirm_stock(now=NOW)
    b.decline_payment("declined", now=NOW)
    c.confirm_stock(now=NOW)
    c.fail_payment("timeout", now=NOW)
    d.reject_for_stock("no stock", now=NOW)
    e.capture("cap_1", actor_id=None, now=NOW)
    e.refund("re_1", reason="damaged", actor_id=STAFF, now=NOW)  # RefundRequested, RefundIssued
    h = paid()
    h.cancel("changed my mind", actor_id=STAFF, now=NOW)
    h.void_payment("changed my mind", actor_id=None, now=NOW)
    f = placed(given=pricing(line("10.00", 1), gift_cards=(gift_card("50.00"),)))
    f.confirm_stock(now=NOW)
    f.skip_payment(now=NOW)
    g = placed(guest=True)
    g.claim(customer_id=uuid.uuid4(), email="ADA@example.com", now=NOW)
    return [event for order in (a, b, c, d, e, f, g, h) for event in order.collect_events()]


def test_every_order_event_type_round_trips_through_the_log_format() -> None:
    registry = build_registry()
    events = every_event()
    assert {type(e) for e in events} == set(ORDER_EVENTS)
    for event in events:
        entry, payload = registry.serialize(event)
        stored = json.loads(json.dumps(payload))  # what JSONB gives back
        assert registry.deserialize(entry.name, entry.version, stored) == event
