"""The payment's lifecycle (ADR 0037) against in-memory fakes: authorised at checkout, captured
when the order ships (or at once), voided when cancelled before, refunded in parts never beyond
what was captured, and cancelled when its authorisation expires unshipped."""

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from application.ordering import commands as c
from application.ordering.deps import OrderingDeps
from application.ordering.handlers.fulfilment import FulfilmentProcess
from application.ordering.handlers.order import check_out
from application.ordering.ports import PaymentCallback, PaymentUnavailable
from domain.ordering import events as ev
from domain.ordering.errors import (
    AuthorisationExpired,
    NothingCaptured,
    OrderAlreadyRefunded,
    RefundExceedsCaptured,
)
from domain.ordering.values import OrderStatus
from domain.shared.money import Money
from infrastructure.ordering.upcasters import payment_authorized_v1_to_v2, refund_issued_v1_to_v2
from tests.support.fakes.ordering import FakeCallbacks, FakePayments, Store, ordering_deps
from tests.support.fakes.shared import FixedClock
from tests.support.orders import NOW, line, placed, pricing
from tests.support.pricing import gift_card
from tests.unit.test_ordering_handlers import checkout, run_process, shop

STAFF = uuid.uuid4()


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


async def paid_order(
    *, immediate: bool = False, clock: FixedClock | None = None
) -> tuple[Store, FakePayments, OrderingDeps, uuid.UUID]:
    store, stock, payments = shop()
    deps = ordering_deps(store, stock, payments, clock=clock)
    if immediate:
        deps = replace(deps, capture_immediately=True)
    order_id = (await check_out(checkout(), deps)).value.id
    await run_process(store, FulfilmentProcess(deps))
    return store, payments, deps, order_id


def types(store: Store, order_id: uuid.UUID) -> list[str]:
    return [type(e).__name__ for e in store.order_events(order_id)]


async def test_paid_means_authorised_and_the_first_shipment_captures_once() -> None:
    store, payments, deps, order_id = await paid_order()
    assert store.order(order_id).state.captured_amount == 0
    assert payments.captured == {}
    await deps.bus.handle(
        c.ShipOrder(order_id=order_id, tracking_number="T", carrier=None, actor_id=STAFF)
    )
    process = FulfilmentProcess(deps)
    await run_process(store, process, twice=True)
    state = store.order(order_id).state
    assert state.captured == eur("12.00")
    assert list(payments.captured.values()) == [eur("12.00")]
    assert types(store, order_id).count("PaymentCaptured") == 1


async def test_immediate_capture_takes_the_money_right_after_the_authorisation() -> None:
    store, _payments, _, order_id = await paid_order(immediate=True)
    assert store.order(order_id).state.captured == eur("12.00")
    assert types(store, order_id)[-1] == "PaymentCaptured"


async def test_staff_capture_by_hand_and_a_second_capture_changes_nothing() -> None:
    store, _payments, deps, order_id = await paid_order()
    await deps.bus.handle(c.CapturePayment(order_id=order_id, actor_id=STAFF))
    await deps.bus.handle(c.CapturePayment(order_id=order_id, actor_id=STAFF))
    captured = [e for e in store.order_events(order_id) if isinstance(e, ev.PaymentCaptured)]
    assert [(e.amount, e.actor_id) for e in captured] == [(eur("12.00"), STAFF)]


async def test_refund_before_capture_is_refused_and_nothing_is_asked() -> None:
    store, payments, deps, order_id = await paid_order()
    with pytest.raises(NothingCaptured):
        await deps.bus.handle(c.RefundOrder(order_id=order_id, reason="x", actor_id=STAFF))
    assert payments.refunded == {}
    assert "RefundRequested" not in types(store, order_id)


async def test_partial_refunds_add_up_to_the_capture_and_no_further() -> None:
    _store, payments, deps, order_id = await paid_order(immediate=True)
    part = c.RefundOrder(order_id=order_id, reason="scratched", actor_id=STAFF, amount=eur("5.00"))
    state = await deps.bus.handle(part)
    assert (state.refunded_total, state.status) == (eur("5.00"), OrderStatus.PAID)
    with pytest.raises(RefundExceedsCaptured):
        await deps.bus.handle(replace(part, amount=eur("7.01")))
    state = await deps.bus.handle(replace(part, amount=None, reason="all of the rest"))
    assert (state.refunded_total, state.status) == (eur("12.00"), OrderStatus.REFUNDED)
    assert sorted(payments.refunded.values()) == [eur("5.00"), eur("7.00")]
    with pytest.raises(OrderAlreadyRefunded):
        await deps.bus.handle(replace(part, amount=None))


async def test_a_return_is_refunded_exactly_once() -> None:
    _store, payments, deps, order_id = await paid_order(immediate=True)
    return_id = uuid.uuid4()
    cmd = c.RefundOrder(
        order_id=order_id, reason="returned", actor_id=None, amount=eur("4.00"), return_id=return_id
    )
    first = await deps.bus.handle(cmd)
    again = await deps.bus.handle(cmd)
    assert first.refunds == again.refunds
    assert len(payments.refunded) == 1
    assert again.refunds[0].return_id == return_id


async def test_a_refund_left_pending_by_an_outage_is_completed_under_its_own_key() -> None:
    store, payments, deps, order_id = await paid_order(immediate=True)
    cmd = c.RefundOrder(
        order_id=order_id, reason="x", actor_id=STAFF, amount=eur("3.00"), idempotency_key="r1"
    )
    payments.unreachable = True
    with pytest.raises(Exception, match="did not answer"):
        await deps.bus.handle(cmd)
    pending = store.order(order_id).state.pending_refunds
    assert [r.amount for r in pending] == [eur("3.00")]
    payments.unreachable = False
    state = await deps.bus.handle(cmd)  # the retry with the same key: the same refund
    assert state.pending_refunds == ()
    assert list(payments.refunded) == [f"refund-{pending[0].refund_id}"]
    assert state.refunded_total == eur("3.00")


async def test_an_expired_authorisation_cancels_the_unshipped_order_and_voids_it() -> None:
    clock = FixedClock()
    store, payments, deps, order_id = await paid_order(clock=clock)
    assert await deps.bus.handle(c.CancelExpiredAuthorisations()) == 0
    clock.advance(deps.authorisation_valid_for + timedelta(minutes=1))
    assert await deps.bus.handle(c.CancelExpiredAuthorisations()) == 1
    await run_process(store, FulfilmentProcess(deps))
    state = store.order(order_id).state
    assert state.status is OrderStatus.CANCELLED
    assert state.voided_at is not None
    assert payments.voided == [str(order_id)]


async def test_a_capture_the_provider_calls_expired_is_refused() -> None:
    store, payments, deps, order_id = await paid_order()
    payments.expired.add(store.order(order_id).state.payment_reference or "")
    with pytest.raises(AuthorisationExpired):
        await deps.bus.handle(c.CapturePayment(order_id=order_id, actor_id=STAFF))
    assert store.order(order_id).state.captured_at is None


def test_a_refund_goes_to_the_card_up_to_its_capture_and_the_last_gives_gift_cards_back() -> None:
    """Paid partly by a gift card: refunds are of the card's capture only; the one that gives
    the last of it back refunds the order, and the gift cards are then credited back whole."""
    order = placed(given=pricing(line("30.00", 1), gift_cards=(gift_card("10.00"),)))
    order.confirm_stock(now=NOW)
    order.record_payment("pay_1", order.state.amount_due, now=NOW)
    order.capture("cap_1", actor_id=None, now=NOW)
    assert order.state.captured == eur("20.00")
    with pytest.raises(RefundExceedsCaptured):
        order.check_refundable(eur("25.00"))
    order.refund("re_1", reason="part", actor_id=STAFF, now=NOW, amount=eur("15.00"))
    order.refund("re_2", reason="rest", actor_id=STAFF, now=NOW)
    issued = [e for e in order.collect_events() if isinstance(e, ev.RefundIssued)]
    assert [(e.amount, e.refunded_in_full) for e in issued] == [
        (eur("15.00"), False),
        (eur("5.00"), True),
    ]
    assert order.status is OrderStatus.REFUNDED


def test_old_events_read_as_a_charge_captured_at_once_and_a_whole_refund() -> None:
    assert payment_authorized_v1_to_v2({"amount": 1})["captured"] is True
    upcast = refund_issued_v1_to_v2({"amount": 1})
    assert (upcast["refunded_in_full"], upcast["lines"], upcast["refund_id"]) == (True, [], None)


async def test_the_providers_later_callbacks_record_capture_refund_and_void() -> None:
    store, payments, deps, order_id = await paid_order()
    callbacks = deps.callbacks
    assert isinstance(callbacks, FakeCallbacks)
    later = PaymentCallback(order_id=order_id, approved=True, later="captured")
    callbacks.next = replace(later, capture_reference="cap_dash")
    for _ in range(2):  # a duplicate changes nothing
        await deps.bus.handle(c.HandlePaymentCallback(body=b"{}", signature=None))
    assert store.order(order_id).state.capture_reference == "cap_dash"

    payments.unreachable = True
    cmd = c.RefundOrder(order_id=order_id, reason="x", actor_id=STAFF, amount=eur("2.00"))
    with pytest.raises(PaymentUnavailable):
        await deps.bus.handle(cmd)
    (pending,) = store.order(order_id).state.pending_refunds
    callbacks.next = replace(
        later, later="refunded", refund_id=pending.refund_id, refund_reference="re_dash"
    )
    await deps.bus.handle(c.HandlePaymentCallback(body=b"{}", signature=None))
    state = store.order(order_id).state
    assert (state.pending_refunds, state.refunded_total) == ((), eur("2.00"))

    other_store, _, other, other_id = await paid_order()
    assert isinstance(other.callbacks, FakeCallbacks)
    other.callbacks.next = replace(later, order_id=other_id, later="voided", reason="lapsed")
    await other.bus.handle(c.HandlePaymentCallback(body=b"{}", signature=None))
    assert other_store.order(other_id).state.cancel_reason == "lapsed"


async def test_the_first_dispatched_parcel_captures_and_the_shipped_order_does_not_again() -> None:
    store, payments, deps, order_id = await paid_order()
    process = FulfilmentProcess(deps)
    dispatched = ev.ShipmentDispatched(
        occurred_at=NOW,
        order_id=order_id,
        shipment_id=uuid.uuid4(),
        lines=(),
        tracking_number="T-1",
        carrier=None,
        location="main",
        actor_id=STAFF,
    )
    assert ev.ShipmentDispatched in process.reacts_to
    await process.react(dispatched)
    await process.react(dispatched)  # delivered twice
    await deps.bus.handle(
        c.ShipOrder(order_id=order_id, tracking_number="T-1", carrier=None, actor_id=STAFF)
    )
    await run_process(store, process)
    assert list(payments.captured.values()) == [eur("12.00")]
    assert types(store, order_id).count("PaymentCaptured") == 1
