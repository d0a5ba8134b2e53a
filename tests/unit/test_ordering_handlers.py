"""Checkout, order changes and the fulfilment process, against in-memory fakes."""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from application.ordering.commands import CancelOrder, CancelUnpaidOrders, CheckOut, ConfirmStock
from application.ordering.deps import OrderingDeps
from application.ordering.handlers.fulfilment import FulfilmentProcess
from application.ordering.handlers.order import cancel_order, change_order, check_out
from application.ordering.ports import PaymentOutcome
from application.shared.errors import ConcurrencyConflict
from application.shared.idempotency import IdempotencyKeyReused
from domain.ordering.cart import Cart
from domain.ordering.errors import CartNeedsReview, NothingCaptured, OrderNotFound
from domain.ordering.values import CatalogItem, OrderStatus
from domain.shared.money import Money
from tests.support.fakes.ordering import FakePayments, FakeStock, Store, ordering_deps
from tests.support.fakes.shared import FixedClock
from tests.support.orders import ADDRESS

CUSTOMER = uuid.uuid4()
MUG = CatalogItem(
    product_id=uuid.uuid4(), sku="MUG", name="Mug", price=Money.of("4.00", "EUR"), active=True
)


def shop(
    *, outcome: PaymentOutcome = PaymentOutcome.APPROVED, units: int = 10
) -> tuple[Store, FakeStock, FakePayments]:
    store = Store(items={"MUG": MUG})
    cart = Cart(CUSTOMER)
    cart.set_line(sku="MUG", product_id=MUG.product_id, quantity=3, price=MUG.price, active=True)
    store.carts[CUSTOMER] = cart
    return store, FakeStock(available={"MUG": units}), FakePayments(outcome=outcome)


def checkout(key: str = "k1", token: str = "tok_approve") -> CheckOut:
    return CheckOut(
        customer_id=CUSTOMER, idempotency_key=key, shipping_address=ADDRESS, payment_token=token
    )


async def test_checkout_prices_from_the_catalog_empties_the_cart_and_keeps_the_answer() -> None:
    store, stock, payments = shop()
    deps = ordering_deps(store, stock, payments)
    placed = await check_out(checkout(), deps)
    assert placed.value.total == Money.of("12.00", "EUR")
    assert store.carts[CUSTOMER].is_empty
    assert store.tokens[placed.value.id] == "tok_approve"

    again = await check_out(checkout(), deps)
    assert (again.value, again.replayed) == (placed.value, True)
    assert len(store.streams) == 1  # one order
    with pytest.raises(IdempotencyKeyReused):
        await check_out(checkout(token="tok_decline"), deps)


async def test_a_failed_checkout_leaves_everything_as_it_was() -> None:
    store, stock, payments = shop()
    store.items["MUG"] = CatalogItem(
        product_id=MUG.product_id, sku="MUG", name="Mug", price=Money.of("5.00", "EUR"), active=True
    )
    with pytest.raises(CartNeedsReview):
        await check_out(checkout(), ordering_deps(store, stock, payments))
    assert not store.carts[CUSTOMER].is_empty
    assert store.streams == {}
    assert store.answers == {}


async def test_a_conflicting_append_is_retried_a_bounded_number_of_times() -> None:
    store, stock, payments = shop()
    deps = ordering_deps(store, stock, payments)
    order_id = (await check_out(checkout(), deps)).value.id
    store.conflicts = 2
    cancelled = await cancel_order(
        CancelOrder(
            order_id=order_id, actor_id=CUSTOMER, any_order=False, reason="x", idempotency_key="c"
        ),
        deps,
    )
    assert cancelled.value.status is OrderStatus.CANCELLED
    store.conflicts = 3
    with pytest.raises(ConcurrencyConflict):
        await change_order(ConfirmStock(order_id=order_id), deps)


async def test_another_customers_order_is_not_found() -> None:
    store, stock, payments = shop()
    deps = ordering_deps(store, stock, payments)
    order_id = (await check_out(checkout(), deps)).value.id
    with pytest.raises(OrderNotFound):
        await cancel_order(
            CancelOrder(
                order_id=order_id,
                actor_id=uuid.uuid4(),
                any_order=False,
                reason="mischief",
                idempotency_key="c",
            ),
            deps,
        )


async def run_process(store: Store, process: FulfilmentProcess, *, twice: bool = False) -> None:
    """Feed the process every event until nothing new happens, each one twice if asked."""
    seen = 0
    while True:
        events = store.events()
        if seen == len(events):
            return
        for event in events[seen:]:
            await process.react(event)
            if twice:
                await process.react(event)
        seen = len(events)


async def test_the_process_takes_an_order_to_paid_and_twice_changes_nothing() -> None:
    store, stock, payments = shop()
    deps = ordering_deps(store, stock, payments)
    order_id = (await check_out(checkout(), deps)).value.id
    await run_process(store, FulfilmentProcess(deps), twice=True)
    assert store.order(order_id).status is OrderStatus.PAID
    assert [type(e).__name__ for e in store.order_events(order_id)] == [
        "OrderPlaced",
        "OrderStockReserved",
        "PaymentAuthorized",
        "OrderPaid",
    ]
    assert stock.available == {"MUG": 7}  # held, once; inventory keeps it from OrderPaid
    assert list(payments.charges) == [str(order_id)]


async def test_a_declined_payment_cancels_the_order() -> None:
    """(Inventory gives the stock back when it sees OrderCancelled: tests/integration.)"""
    store, stock, payments = shop(outcome=PaymentOutcome.DECLINED)
    deps = ordering_deps(store, stock, payments)
    order_id = (await check_out(checkout(), deps)).value.id
    await run_process(store, FulfilmentProcess(deps))
    assert [type(e).__name__ for e in store.order_events(order_id)][-2:] == [
        "PaymentDeclined",
        "OrderCancelled",
    ]
    assert payments.charges == {}


async def test_an_order_without_stock_is_rejected_and_never_charged() -> None:
    store, stock, payments = shop(units=2)
    deps = ordering_deps(store, stock, payments)
    order_id = (await check_out(checkout(), deps)).value.id
    await run_process(store, FulfilmentProcess(deps), twice=True)
    assert [type(e).__name__ for e in store.order_events(order_id)] == [
        "OrderPlaced",
        "OrderStockRejected",
    ]
    assert payments.charges == {}
    assert [c for c in stock.calls if c[0] == "reserve"] == [("reserve", order_id)]


async def test_a_lost_answer_cancels_the_order_and_voids_what_the_provider_holds() -> None:
    store, stock, payments = shop()
    payments.unreachable = True
    deps = ordering_deps(store, stock, payments)
    order_id = (await check_out(checkout(), deps)).value.id
    await run_process(store, FulfilmentProcess(deps))
    assert store.order(order_id).status is OrderStatus.CANCELLED
    assert payments.voided == [str(order_id)]


async def test_the_payment_token_is_forgotten_once_the_provider_answered() -> None:
    store, stock, payments = shop()
    deps = ordering_deps(store, stock, payments)
    order_id = (await check_out(checkout(), deps)).value.id
    assert order_id in store.tokens
    await run_process(store, FulfilmentProcess(deps))
    assert order_id not in store.tokens


async def test_a_cancelled_paid_order_has_its_uncaptured_authorisation_voided() -> None:
    store, stock, payments = shop()
    deps = ordering_deps(store, stock, payments)
    order_id = (await check_out(checkout(), deps)).value.id
    process = FulfilmentProcess(deps)
    await run_process(store, process)
    await cancel_order(
        CancelOrder(
            order_id=order_id, actor_id=CUSTOMER, any_order=False, reason="x", idempotency_key="c"
        ),
        deps,
    )
    await run_process(store, process)
    assert payments.voided == [str(order_id)]
    state = store.order(order_id).state
    assert state.voided_at is not None
    assert (state.captured_amount, state.status) == (Decimal(0), OrderStatus.CANCELLED)
    with pytest.raises(NothingCaptured):
        store.order(order_id).check_refundable()


async def sweep(deps: OrderingDeps) -> int:
    return await deps.bus.handle(CancelUnpaidOrders())


async def test_an_order_whose_payment_never_comes_is_cancelled_at_its_deadline_once() -> None:
    store, stock, payments = shop(outcome=PaymentOutcome.PENDING)
    clock = FixedClock()
    deps = ordering_deps(store, stock, payments, clock=clock)
    order_id = (await check_out(checkout(), deps)).value.id
    await run_process(store, FulfilmentProcess(deps))
    assert store.order(order_id).status is OrderStatus.AWAITING_PAYMENT
    clock.advance(deps.payment_timeout)
    assert await sweep(deps) == 0  # due only once the timeout has passed
    clock.advance(timedelta(seconds=1))
    assert await sweep(deps) == 1
    assert store.order(order_id).status is OrderStatus.CANCELLED
    assert (store.deadlines, store.tokens) == ({}, {})
    assert await sweep(deps) == 0


async def test_the_wait_for_the_payment_starts_when_the_stock_is_confirmed() -> None:
    store, stock, payments = shop(outcome=PaymentOutcome.PENDING)
    clock = FixedClock()
    deps = ordering_deps(store, stock, payments, clock=clock)
    order_id = (await check_out(checkout(), deps)).value.id
    clock.advance(timedelta(minutes=10))  # the worker was slow to reserve the stock
    await run_process(store, FulfilmentProcess(deps))
    clock.advance(timedelta(minutes=6))  # 16 minutes after checkout, 6 after confirmation
    assert await sweep(deps) == 0
    assert store.order(order_id).status is OrderStatus.AWAITING_PAYMENT
    clock.advance(timedelta(minutes=10))
    assert await sweep(deps) == 1


async def test_an_order_the_process_never_reached_is_cancelled_at_its_deadline() -> None:
    store, stock, payments = shop()
    clock = FixedClock()
    deps = ordering_deps(store, stock, payments, clock=clock)
    order_id = (await check_out(checkout(), deps)).value.id
    clock.advance(deps.payment_timeout + timedelta(seconds=1))
    assert await sweep(deps) == 1
    assert store.order(order_id).status is OrderStatus.CANCELLED


async def test_a_paid_order_leaves_no_deadline_behind() -> None:
    store, stock, payments = shop()
    deps = ordering_deps(store, stock, payments)
    order_id = (await check_out(checkout(), deps)).value.id
    assert order_id in store.deadlines
    await run_process(store, FulfilmentProcess(deps))
    assert store.deadlines == {}


async def test_an_order_cancelled_while_its_stock_was_reserved_gives_the_stock_back() -> None:
    """Inventory may settle the cancellation before the reservation exists; the process, which
    made the reservation, then sees the order cannot take it and releases it."""
    store, _, payments = shop()

    @dataclass
    class CancelledMeanwhile(FakeStock):
        async def reserve(
            self, order_id: uuid.UUID, lines: list[tuple[str, int]], *, hold_for: timedelta
        ) -> str | None:
            cancel = CancelOrder(
                order_id=order_id,
                actor_id=CUSTOMER,
                any_order=False,
                reason="x",
                idempotency_key="c",
            )
            await cancel_order(cancel, deps)
            return await super().reserve(order_id, lines, hold_for=hold_for)

    stock = CancelledMeanwhile(available={"MUG": 10})
    deps = ordering_deps(store, stock, payments)
    order_id = (await check_out(checkout(), deps)).value.id
    await run_process(store, FulfilmentProcess(deps))
    assert store.order(order_id).status is OrderStatus.CANCELLED
    assert stock.available == {"MUG": 10}
    assert ("release", order_id) in stock.calls
    assert payments.charges == {}


async def test_an_order_whose_expiry_fails_is_postponed_and_holds_up_no_other() -> None:
    store, stock, payments = shop(outcome=PaymentOutcome.PENDING)
    clock = FixedClock()
    deps = ordering_deps(store, stock, payments, clock=clock)
    first = (await check_out(checkout("k1"), deps)).value.id
    clock.advance(timedelta(seconds=1))
    store.carts[CUSTOMER] = shop()[0].carts[CUSTOMER]
    second = (await check_out(checkout("k2"), deps)).value.id
    clock.advance(deps.payment_timeout + timedelta(seconds=1))
    store.conflicts = 3  # the first order's expiry loses every race it is retried in
    assert await sweep(deps) == 1
    assert store.order(first).status is OrderStatus.PLACED
    assert store.order(second).status is OrderStatus.CANCELLED
    assert store.deadlines == {first: clock.now()}  # tried again a timeout from now
