"""Where returns meet the payment lifecycle: a return's refund counts what staff refunded
before it, and a return that takes back the last captured money while units stay with the
customer leaves the order standing (ADRs 0037, 0039)."""

import uuid
from datetime import timedelta

import pytest

from domain.ordering import events as ev
from domain.ordering.errors import NotRefundable
from domain.ordering.order import Order
from domain.ordering.pricing.refunds import ShippingRefund
from domain.ordering.returns import Return
from domain.ordering.values import LineUnits, OrderStatus
from domain.shared.money import Money
from tests.support.orders import NOW, line, placed, pricing
from tests.support.pricing import gift_card
from tests.support.returns import WINDOW, asked, restocked


def shipped_and_captured(order: Order) -> Order:
    order.confirm_stock(now=NOW)
    order.record_payment("pay_1", order.state.amount_due, now=NOW)
    order.ship("T-1", carrier="DHL", actor_id=None, now=NOW)
    order.capture("cap_1", actor_id=None, now=NOW)
    return order


def received(order: Order, sku: str, quantity: int) -> Return:
    rma = Return.request(
        return_id=uuid.uuid4(),
        order=order.state,
        lines=[asked(sku, quantity)],
        others=[],
        actor_id=None,
        window=WINDOW,
        now=NOW + timedelta(days=1),
    )
    rma.approve(actor_id=None, now=NOW)
    rma.receive(
        [restocked(sku, quantity)],
        order=order.state,
        others=[],
        shipping=ShippingRefund.LAST_UNITS,
        actor_id=None,
        now=NOW,
    )
    return rma


def refund_return(order: Order, rma: Return) -> ev.RefundIssued:
    assert rma.state.refund is not None
    refund_id = uuid.uuid4()
    order.collect_events()
    order.request_refund(
        refund_id,
        rma.state.refund,
        reason="return",
        actor_id=None,
        lines=tuple(LineUnits(sku=s, quantity=q) for s, q in rma.state.came_back.items()),
        return_id=rma.id,
        now=NOW,
    )
    order.issue_refund(refund_id, "re_1", now=NOW)
    (issued,) = [e for e in order.collect_events() if isinstance(e, ev.RefundIssued)]
    return issued


def test_a_return_that_takes_the_last_card_money_leaves_the_rest_of_the_order_standing() -> None:
    big, small = line("80.00", 1), line("20.00", 1)
    order = placed(big, small, given=pricing(big, small, gift_cards=(gift_card("30.00"),)))
    shipped_and_captured(order)
    rma = received(order, big.sku, 1)
    assert rma.state.refund == Money.of("70.00", "EUR")  # all the card paid; 10 is gift card's
    issued = refund_return(order, rma)
    # Not "refunded in full": the gift cards are not credited back whole, and the 20.00 item
    # the customer keeps is not released or cancelled.
    assert not issued.refunded_in_full
    assert order.state.status is OrderStatus.SHIPPED


def test_a_return_of_every_unit_refunds_the_order_in_full() -> None:
    mugs = line("25.00", 2)
    order = shipped_and_captured(placed(mugs))
    issued = refund_return(order, received(order, mugs.sku, 2))
    assert issued.refunded_in_full
    assert order.state.status is OrderStatus.REFUNDED


def test_a_return_after_a_staff_refund_asks_only_what_is_left() -> None:
    mugs = line("50.00", 2)
    order = shipped_and_captured(placed(mugs))
    order.refund(
        "re_staff", reason="goodwill", actor_id=None, now=NOW, amount=Money.of("30.00", "EUR")
    )
    rma = received(order, mugs.sku, 2)
    assert rma.state.refund == Money.of("70.00", "EUR")  # 100 captured, 30 given back already
    refund_return(order, rma)  # within what is refundable: not refused
    assert order.state.refundable == Money.of("0.00", "EUR")


def test_units_staff_refunded_by_line_are_not_paid_for_again_by_a_return() -> None:
    mugs = line("50.00", 2)
    order = shipped_and_captured(placed(mugs))
    staff_refund = uuid.uuid4()
    order.request_refund(
        staff_refund,
        Money.of("50.00", "EUR"),
        reason="one arrived broken",
        actor_id=None,
        lines=(LineUnits(sku=mugs.sku, quantity=1),),
        now=NOW,
    )
    order.issue_refund(staff_refund, "re_staff", now=NOW)
    # Both units back is one more than is left to pay for: refused at receipt, nothing paid.
    with pytest.raises(NotRefundable):
        received(order, mugs.sku, 2)
    rma = received(order, mugs.sku, 1)
    # The unit returned is the second: the order has 50.00 left to give back, and gives it.
    assert rma.state.refund == Money.of("50.00", "EUR")
    assert order.state.refundable == Money.of("50.00", "EUR")
