"""What an order freezes: the price pipeline's inputs and the breakdown they gave, so its numbers
can be recomputed and shown; v1 orders read with a breakdown of their lines; an order with
nothing left to pay is paid without the provider; a guest's order is claimed by its email."""

import json
import uuid
from decimal import Decimal

import pytest

from agora.bootstrap import build_registry
from domain.ordering import events as ev
from domain.ordering.errors import OrderNotClaimable, PaymentMismatch
from domain.ordering.order import NO_CHARGE, Order
from domain.ordering.pricing.inputs import PromotionKind, PromotionTarget
from domain.ordering.pricing.pipeline import price
from domain.ordering.values import OrderStatus
from domain.shared.money import Money
from infrastructure.eventlog.registry import to_json_value
from tests.support.orders import ADDRESS, NOW, line, placed, pricing
from tests.support.pricing import gift_card, promotion, shipping, taxes


def everything() -> Order:
    """Two lines, 10 % off the order, shipping, 20 % VAT included, a gift card of 5.00."""
    given = pricing(
        line("19.99", 2),
        line("5.00", 1),
        promotions=(
            promotion(PromotionKind.PERCENTAGE, PromotionTarget.ORDER, percent="10", name="Ten"),
        ),
        taxes=taxes(("standard", "20"), included=True),
        shipping=shipping(("0", "4.90")),
        gift_cards=(gift_card("5.00"),),
    )
    return placed(given=given)


def test_the_breakdown_recomputed_from_the_frozen_inputs_gives_the_same_numbers() -> None:
    registry = build_registry()
    (placed_event,) = everything().collect_events()
    entry, payload = registry.serialize(placed_event)
    stored = registry.deserialize(entry.name, entry.version, json.loads(json.dumps(payload)))
    assert isinstance(stored, ev.OrderPlaced)
    assert price(stored.pricing) == stored.breakdown
    b = stored.breakdown
    # 44.98 - 4.50 (10 %) + 4.90 = 45.38, VAT included; the card pays 5.00.
    assert (b.subtotal, b.discount_total, b.total) == (
        Money.of("44.98", "EUR"),
        Money.of("4.50", "EUR"),
        Money.of("45.38", "EUR"),
    )
    assert b.amount_due == Money.of("40.38", "EUR")
    assert stored.total == b.total


def test_the_order_is_worth_its_breakdown_and_asks_the_provider_for_the_amount_due() -> None:
    order = everything()
    order.confirm_stock(now=NOW)
    with pytest.raises(PaymentMismatch):
        order.record_payment("pay_1", order.state.total, now=NOW)
    order.record_payment("pay_1", Money.of("40.38", "EUR"), now=NOW)
    assert order.status is OrderStatus.PAID
    order.capture("cap_1", actor_id=None, now=NOW)
    assert order.state.captured == Money.of("40.38", "EUR")  # the amount due, not the total
    assert order.check_refundable() == Money.of("40.38", "EUR")


def test_an_order_with_nothing_left_to_pay_is_paid_without_the_provider() -> None:
    order = placed(given=pricing(line("10.00", 1), gift_cards=(gift_card("50.00"),)))
    assert order.state.amount_due == Money.of("0.00", "EUR")
    order.confirm_stock(now=NOW)
    order.collect_events()
    order.skip_payment(now=NOW)
    order.skip_payment(now=NOW)  # a replayed step
    events = order.collect_events()
    assert [type(e) for e in events] == [ev.PaymentSkipped, ev.OrderPaid]
    assert order.status is OrderStatus.PAID
    assert order.state.paid_at == NOW
    assert isinstance(events[1], ev.OrderPaid)
    assert events[1].payment_reference == NO_CHARGE
    due = placed()
    due.confirm_stock(now=NOW)
    with pytest.raises(PaymentMismatch):
        due.skip_payment(now=NOW)


def test_an_order_paid_wholly_by_gift_cards_counts_as_paid_when_cancelled_or_refunded() -> None:
    """Paid with nothing asked of the provider: its cancellation is after payment (so a coupon
    keeps its use, ADR 0033), and its refund gives back nothing through the provider."""

    def paid_by_card() -> Order:
        order = placed(given=pricing(line("10.00", 1), gift_cards=(gift_card("50.00"),)))
        order.confirm_stock(now=NOW)
        order.skip_payment(now=NOW)
        order.collect_events()
        return order

    cancelled = paid_by_card()
    cancelled.cancel("changed my mind", actor_id=None, now=NOW)
    (cancellation,) = cancelled.collect_events()
    assert isinstance(cancellation, ev.OrderCancelled)
    assert cancellation.after_payment
    assert cancelled.check_refundable() == Money.of("0.00", "EUR")
    assert paid_by_card().check_refundable() == Money.of("0.00", "EUR")


def test_a_guest_order_is_claimed_by_the_account_with_its_email_once() -> None:
    order = placed(guest=True)
    account = uuid.uuid4()
    with pytest.raises(OrderNotClaimable):
        order.claim(customer_id=account, email="eve@example.com", now=NOW)
    order.claim(customer_id=account, email="Ada@Example.com", now=NOW)
    order.claim(customer_id=account, email="ada@example.com", now=NOW)  # again: nothing new
    claimed = [e for e in order.collect_events() if isinstance(e, ev.OrderClaimed)]
    assert len(claimed) == 1
    assert claimed[0].customer_id == account
    assert (order.state.customer_id, order.state.guest) == (account, False)
    with pytest.raises(OrderNotClaimable):
        placed().claim(customer_id=account, email="ada@example.com", now=NOW)


def test_a_v1_order_placed_reads_with_a_breakdown_of_its_lines() -> None:
    registry = build_registry()
    mugs, pens = line("4.50", 2), line("1.25", 3)
    v1 = {
        "occurred_at": NOW.isoformat(),
        "order_id": str(uuid.uuid4()),
        "customer_id": str(uuid.uuid4()),
        "lines": to_json_value((mugs, pens)),
        "total": {"amount": "12.75", "currency": "EUR"},
        "shipping_address": to_json_value(ADDRESS),
    }
    event = registry.deserialize("OrderPlaced", 1, v1)
    assert isinstance(event, ev.OrderPlaced)
    b = event.breakdown
    assert (b.subtotal, b.total, b.amount_due) == (event.total,) * 3
    assert (b.discount_total, b.tax_total, b.gift_card_total) == (Money.of("0", "EUR"),) * 3
    assert b.shipping is None
    assert b.taxes == ()
    assert [line.tax_rate for line in b.lines] == [Decimal(0)] * 2
    assert event.billing_address == ADDRESS
    assert not event.guest
    assert event.email is None
    assert price(event.pricing) == b  # the pipeline agrees with the upcaster
    order = Order.replay([event])
    assert order.state.amount_due == Money.of("12.75", "EUR")
