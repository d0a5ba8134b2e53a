"""Ordering's unit of work and ports: the in-memory fakes and the real adapters (PostgreSQL, and
inventory and the catalog behind their anti-corruption adapters) keep the same promises."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.contexts import inventory
from agora.contexts.ordering import NEIGHBOURS, InventoryForOrdering, payment_gateway
from agora.settings import Settings
from application.inventory.commands import ReceiveStock
from application.inventory.deps import InventoryDeps
from application.ordering.ports import OrderingUnitOfWork, PaymentGateway, PaymentOutcome, Stock
from application.shared.bus import CommandBus
from application.shared.errors import ConcurrencyConflict
from application.shared.idempotency import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    IdempotentRequest,
)
from domain.catalog.product import Product
from domain.ordering.cart import Cart
from domain.ordering.order import Order, OrderState
from domain.ordering.values import CatalogItem, LineUnits, OrderStatus
from domain.shared.money import Money
from domain.shared.sku import Sku
from infrastructure.catalog.unit_of_work import SqlCatalogUnitOfWork
from infrastructure.inventory.unit_of_work import SqlInventoryUnitOfWork
from infrastructure.ordering.repositories import BacklogCount
from infrastructure.ordering.unit_of_work import SqlOrderingUnitOfWork
from infrastructure.payments.simulated import SimulatedProvider
from tests.support.eventlog import REGISTRY
from tests.support.fakes.ordering import FakeOrderingUnitOfWork, FakePayments, FakeStock, Store
from tests.support.fakes.shared import FixedClock
from tests.support.orders import NOW, placed, pricing

T = TypeVar("T")


@dataclass
class Ordering:
    """One implementation of ordering's ports: a unit of work per call, and a way to put a
    product in the catalog."""

    uow: Callable[[], OrderingUnitOfWork]
    offer: Callable[[CatalogItem], Awaitable[None]]


@pytest.fixture(params=["memory", "postgres"])
def ordering(request: pytest.FixtureRequest) -> Ordering:
    if request.param == "memory":
        store = Store()

        async def offer_in_memory(item: CatalogItem) -> None:
            store.items[item.sku] = item

        return Ordering(uow=lambda: FakeOrderingUnitOfWork(store), offer=offer_in_memory)
    engine: AsyncEngine = request.getfixturevalue("engine")

    async def offer(item: CatalogItem) -> None:
        product = Product.create(
            id=item.product_id,
            sku=Sku.parse(item.sku),
            name=item.name,
            description="",
            price=item.price,
            category_id=None,
            attributes={},
            now=NOW,
        )
        if item.active:
            product.publish(now=NOW)
        async with SqlCatalogUnitOfWork(engine, REGISTRY) as uow:
            await uow.products.add(product)
            await uow.commit()

    backlog = BacklogCount(interval_seconds=60)
    uow = partial(SqlOrderingUnitOfWork, engine, REGISTRY, NEIGHBOURS, backlog)
    return Ordering(uow=uow, offer=offer)


def in_own_task(work: Coroutine[Any, Any, T]) -> "asyncio.Task[T]":
    """A rival request. The task inherits this one's context, open unit of work included, and
    must still not join it: only the task that opened a unit of work joins it."""
    return asyncio.create_task(work)


async def add(ordering: Ordering, order: Order) -> None:
    async with ordering.uow() as uow:
        await uow.orders.add(order)
        await uow.commit()


# -- the unit of work ------------------------------------------------------------------------


async def test_an_order_is_stored_only_when_committed(ordering: Ordering) -> None:
    kept, dropped = placed(), placed()
    await add(ordering, kept)
    async with ordering.uow() as uow:
        await uow.orders.add(dropped)
    async with ordering.uow() as uow:
        loaded = await uow.orders.get(kept.id)
        assert await uow.orders.get(dropped.id) is None
    assert loaded is not None
    assert loaded.state == kept.state


async def test_a_joined_unit_of_work_commits_only_with_the_outer_one(ordering: Ordering) -> None:
    undone, done = placed(), placed()
    for order, outer_commits in ((undone, False), (done, True)):
        async with ordering.uow() as outer:
            async with ordering.uow() as inner:
                await inner.orders.add(order)
                await inner.commit()
            if outer_commits:
                await outer.commit()
    async with ordering.uow() as uow:
        assert await uow.orders.get(undone.id) is None
        assert await uow.orders.get(done.id) is not None


async def test_a_joined_unit_of_work_left_without_a_commit_leaves_nothing(
    ordering: Ordering,
) -> None:
    dropped, kept = placed(), placed()
    async with ordering.uow() as outer:
        async with ordering.uow() as inner:
            await inner.orders.add(dropped)  # and no commit: back to its savepoint
        await outer.orders.add(kept)
        await outer.commit()
    async with ordering.uow() as uow:
        assert await uow.orders.get(dropped.id) is None
        assert await uow.orders.get(kept.id) is not None


async def test_a_unit_of_work_opened_by_another_task_does_not_join(ordering: Ordering) -> None:
    theirs = placed()
    async with ordering.uow():  # open, never committed
        await in_own_task(add(ordering, theirs))
    async with ordering.uow() as uow:
        assert await uow.orders.get(theirs.id) is not None


# -- orders ----------------------------------------------------------------------------------


async def test_an_order_changed_and_saved_appends_after_the_version_it_loaded(
    ordering: Ordering,
) -> None:
    order = placed()
    await add(ordering, order)
    async with ordering.uow() as uow:
        loaded = await uow.orders.get(order.id)
        assert loaded is not None
        loaded.confirm_stock(now=NOW)
        await uow.commit()
    async with ordering.uow() as uow:
        again = await uow.orders.get(order.id)
    assert again is not None
    assert (again.status, again.state.version) == (OrderStatus.AWAITING_PAYMENT, 2)


async def test_placing_an_order_whose_stream_exists_is_a_conflict(ordering: Ordering) -> None:
    order = placed()
    await add(ordering, order)
    twin = Order.place(  # another writer's new order under the same id
        order_id=order.id,
        customer_id=order.state.customer_id,
        pricing=pricing(),
        breakdown=order.state.breakdown,
        shipping_address=order.state.shipping_address,
        now=NOW,
    )
    with pytest.raises(ConcurrencyConflict):
        await add(ordering, twin)


# -- carts, payment tokens, deadlines --------------------------------------------------------


async def test_a_cart_is_empty_until_saved_with_lines(ordering: Ordering) -> None:
    customer = uuid.uuid4()
    async with ordering.uow() as uow:
        cart = await uow.carts.get(customer)
        assert cart.is_empty
        cart.set_line(
            sku="MUG-1",
            product_id=uuid.uuid4(),
            quantity=2,
            price=Money.of("4.50", "EUR"),
            active=True,
        )
        await uow.carts.save(cart)
        await uow.commit()
    async with ordering.uow() as uow:
        loaded = await uow.carts.get(customer)
    assert loaded.lines == cart.lines
    assert isinstance(loaded, Cart)


async def test_a_payment_token_is_kept_until_forgotten(ordering: Ordering) -> None:
    order_id = uuid.uuid4()
    async with ordering.uow() as uow:
        await uow.payment_methods.put(order_id, "tok_approve")
        await uow.commit()
    async with ordering.uow() as uow:
        assert await uow.payment_methods.get(order_id) == "tok_approve"
        assert await uow.payment_methods.get(uuid.uuid4()) is None
        await uow.payment_methods.forget(order_id)
        await uow.commit()
    async with ordering.uow() as uow:
        assert await uow.payment_methods.get(order_id) is None


async def test_deadlines_come_due_longest_waiting_first(ordering: Ordering) -> None:
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with ordering.uow() as uow:
        await uow.deadlines.start(second, since=NOW + timedelta(minutes=1))
        await uow.deadlines.start(first, since=NOW)
        await uow.deadlines.start(third, since=NOW + timedelta(minutes=2))
        await uow.commit()
    cutoff = NOW + timedelta(minutes=2)  # strictly before it: `third` is not due yet
    async with ordering.uow() as uow:
        assert await uow.deadlines.due(cutoff, limit=10) == [first, second]
        assert await uow.deadlines.due(cutoff, limit=1) == [first]
        await uow.deadlines.start(first, since=NOW + timedelta(minutes=5))  # restarted
        await uow.deadlines.clear(second)
        await uow.commit()
    async with ordering.uow() as uow:
        assert await uow.deadlines.due(cutoff, limit=10) == []
        assert await uow.deadlines.due(NOW + timedelta(minutes=6), limit=10) == [third, first]


async def test_the_backlog_counts_the_orders_whose_deadline_runs_up_to_the_bound(
    ordering: Ordering,
) -> None:
    waiting, done = [uuid.uuid4() for _ in range(3)], uuid.uuid4()
    async with ordering.uow() as uow:
        for order_id in [*waiting, done]:
            await uow.deadlines.start(order_id, since=NOW)
        await uow.deadlines.clear(done)
        await uow.commit()
    async with ordering.uow() as uow:
        assert await uow.backlog.orders_waiting(up_to=10) == 3
        assert await uow.backlog.orders_waiting(up_to=2) == 2


# -- idempotency keys ------------------------------------------------------------------------


def request(key: str, payload: str = "body", owner: uuid.UUID | None = None) -> IdempotentRequest:
    return IdempotentRequest.of(
        owner_id=owner or OWNER, key=key, operation="checkout", payload=payload
    )


OWNER = uuid.uuid4()
KEEP = timedelta(hours=24)


async def remember(ordering: Ordering, req: IdempotentRequest, result: OrderState) -> None:
    async with ordering.uow() as uow:
        assert await uow.idempotency.claim(req, OrderState, now=NOW) is None
        await uow.idempotency.remember(req, result, now=NOW, keep_for=KEEP)
        await uow.commit()


async def test_a_remembered_answer_is_replayed_and_its_key_names_one_request(
    ordering: Ordering,
) -> None:
    answer = placed().state
    await remember(ordering, request("k-1"), answer)
    async with ordering.uow() as uow:
        assert await uow.idempotency.claim(request("k-1"), OrderState, now=NOW) == answer
        with pytest.raises(IdempotencyKeyReused):
            await uow.idempotency.claim(request("k-1", payload="other"), OrderState, now=NOW)
        other_owner = request("k-1", owner=uuid.uuid4())
        assert await uow.idempotency.claim(other_owner, OrderState, now=NOW) is None


async def test_a_key_claimed_by_a_running_request_is_refused_at_once(ordering: Ordering) -> None:
    claimed, finish = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with ordering.uow() as uow:
            await uow.idempotency.claim(request("k-busy"), OrderState, now=NOW)
            claimed.set()
            await finish.wait()

    async def second() -> OrderState | None:
        async with ordering.uow() as uow:
            return await uow.idempotency.claim(request("k-busy"), OrderState, now=NOW)

    running = in_own_task(first())
    await claimed.wait()
    with pytest.raises(IdempotencyKeyInUse):
        await in_own_task(second())
    finish.set()
    await running
    assert await in_own_task(second()) is None  # the first ended without an answer: free


async def test_a_live_answer_is_never_replaced_by_another_effect(ordering: Ordering) -> None:
    """The claim's lookup may miss an answer committed a moment before the claim's lock was
    taken; remembering a second answer under the key then refuses, so the second effect rolls
    back and one key still names one effect."""
    first = placed().state
    await remember(ordering, request("k-race"), first)
    async with ordering.uow() as uow:
        with pytest.raises(IdempotencyKeyInUse):
            await uow.idempotency.remember(
                request("k-race"), placed().state, now=NOW, keep_for=KEEP
            )
    async with ordering.uow() as uow:
        assert await uow.idempotency.claim(request("k-race"), OrderState, now=NOW) == first
    later = NOW + KEEP  # an expired answer is replaced
    async with ordering.uow() as uow:
        await uow.idempotency.remember(request("k-race"), placed().state, now=later, keep_for=KEEP)
        await uow.commit()


async def test_answers_expire_and_are_forgotten(ordering: Ordering) -> None:
    await remember(ordering, request("k-old"), placed().state)
    later = NOW + KEEP
    async with ordering.uow() as uow:
        assert await uow.idempotency.claim(request("k-old"), OrderState, now=later) is None
        assert await uow.idempotency.forget_expired(now=later - timedelta(seconds=1)) == 0
        assert await uow.idempotency.forget_expired(now=later) == 1
        await uow.commit()


# -- the catalog, as ordering reads it -------------------------------------------------------


async def test_the_catalog_gives_each_known_skus_price_and_whether_it_is_for_sale(
    ordering: Ordering,
) -> None:
    # Products of one SKU and price: each is its one default variant, with the product's id.
    red, new = uuid.uuid4(), uuid.uuid4()
    on_sale = CatalogItem(
        product_id=red,
        sku="MUG-RED",
        name="Red mug",
        price=Money.of("9.90", "EUR"),
        active=True,
        variant_id=red,
        prices=(Money.of("9.90", "EUR"),),
    )
    draft = CatalogItem(
        product_id=new,
        sku="MUG-NEW",
        name="New mug",
        price=Money.of("12.00", "EUR"),
        active=False,
        variant_id=new,
        prices=(Money.of("12.00", "EUR"),),
    )
    await ordering.offer(on_sale)
    await ordering.offer(draft)
    async with ordering.uow() as uow:
        items = await uow.catalog.items(["MUG-RED", "MUG-NEW", "MUG-NONE", "MUG-RED"])
    assert items == {"MUG-RED": on_sale, "MUG-NEW": draft}


# -- stock, as ordering asks inventory for it ------------------------------------------------


@dataclass
class Inventory:
    """One implementation of the Stock port, and a way to receive units."""

    port: Stock
    receive: Callable[[str, int], Awaitable[None]]


@pytest.fixture(params=["memory", "inventory"])
def inventory_of(request: pytest.FixtureRequest) -> Inventory:
    if request.param == "memory":
        fake = FakeStock()

        async def receive_in_memory(sku: str, quantity: int) -> None:
            fake.available[sku] = fake.available.get(sku, 0) + quantity

        return Inventory(port=fake, receive=receive_in_memory)
    engine: AsyncEngine = request.getfixturevalue("engine")
    bus = CommandBus()
    deps = InventoryDeps(uow=partial(SqlInventoryUnitOfWork, engine, REGISTRY), clock=FixedClock())
    inventory.register(bus, deps)

    async def receive(sku: str, quantity: int) -> None:
        await bus.handle(ReceiveStock(sku=sku, quantity=quantity, actor_id=None))

    return Inventory(port=InventoryForOrdering(bus), receive=receive)


HOLD = timedelta(minutes=15)


async def test_stock_is_held_all_or_nothing_once_per_order(inventory_of: Inventory) -> None:
    port, sku = inventory_of.port, f"CUP-{uuid.uuid4().hex[:6]}".upper()
    await inventory_of.receive(sku, 3)
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert await port.reserve(first, [(sku, 2)], hold_for=HOLD) is None
    assert await port.reserve(first, [(sku, 2)], hold_for=HOLD) is None  # again: nothing new
    refused = await port.reserve(second, [(sku, 2)], hold_for=HOLD)
    assert refused is not None
    assert sku in refused
    assert await port.reserve(third, [(sku, 1)], hold_for=HOLD) is None  # the last unit


async def test_an_unknown_sku_is_refused_with_a_reason(inventory_of: Inventory) -> None:
    assert (
        await inventory_of.port.reserve(uuid.uuid4(), [("NO-SUCH-SKU", 1)], hold_for=HOLD)
        is not None
    )


async def test_released_stock_goes_back_once_and_the_order_cannot_take_it_again(
    inventory_of: Inventory,
) -> None:
    port, sku = inventory_of.port, f"CUP-{uuid.uuid4().hex[:6]}".upper()
    await inventory_of.receive(sku, 3)
    cancelled, other = uuid.uuid4(), uuid.uuid4()
    assert await port.reserve(cancelled, [(sku, 2)], hold_for=HOLD) is None
    for _ in range(2):  # twice: nothing more goes back
        await port.release(cancelled)
    await port.release(uuid.uuid4())  # an order that holds nothing
    assert await port.reserve(cancelled, [(sku, 2)], hold_for=HOLD) is not None
    assert await port.reserve(other, [(sku, 3)], hold_for=HOLD) is None


async def test_reserved_units_may_ship_from_where_they_were_allocated(
    inventory_of: Inventory,
) -> None:
    port, sku = inventory_of.port, f"CUP-{uuid.uuid4().hex[:6]}".upper()
    await inventory_of.receive(sku, 3)
    order = uuid.uuid4()
    assert await port.reserve(order, [(sku, 2)], hold_for=HOLD) is None
    assert await port.check_shipment(order, [LineUnits(sku=sku, quantity=1)], None) is None
    assert await port.check_shipment(order, [LineUnits(sku=sku, quantity=2)], None) is None


# -- the payment provider ------------------------------------------------------------------


@dataclass
class Payments:
    """One implementation of the PaymentGateway port, and what it has charged, by reference:
    (amount, voided)."""

    port: PaymentGateway
    charges: Callable[[], dict[str, tuple[Money, bool]]]


@pytest.fixture(params=["memory", "simulated"])
def payments(request: pytest.FixtureRequest) -> Payments:
    if request.param == "memory":
        fake = FakePayments()
        return Payments(
            port=fake,
            charges=lambda: {r: (m, r in fake.voided) for r, m in fake.charges.items()},
        )
    provider = SimulatedProvider()
    gateway = payment_gateway(Settings(), provider)
    return Payments(
        port=gateway,
        charges=lambda: {r: (ch.amount, ch.voided) for r, ch in provider.charges.items()},
    )


PRICE = Money.of("25.00", "EUR")


async def test_an_authorisation_asked_again_gets_the_charge_already_made_whatever_the_token(
    payments: Payments,
) -> None:
    port = payments.port
    first = await port.authorize(reference="order-1", amount=PRICE, token="tok_approve")
    # Asked again after a crash: the token may be gone, yet the charge exists; the provider
    # finds it by the reference before it looks at the card.
    for token in ("tok_approve", "", "tok_decline"):
        again = await port.authorize(reference="order-1", amount=PRICE, token=token)
        assert again == first
    assert first.outcome is PaymentOutcome.APPROVED
    assert first.payment_reference is not None
    assert payments.charges() == {"order-1": (PRICE, False)}


async def test_no_card_is_declined_and_charges_nothing(payments: Payments) -> None:
    result = await payments.port.authorize(reference="order-2", amount=PRICE, token="")
    assert result.outcome is PaymentOutcome.DECLINED
    assert payments.charges() == {}


async def test_a_void_cancels_the_charge_under_its_reference_once(payments: Payments) -> None:
    port = payments.port
    await port.authorize(reference="order-3", amount=PRICE, token="tok_approve")
    for _ in range(2):
        await port.void(reference="order-3")
    await port.void(reference="order-4")  # nothing was charged: nothing to do
    assert payments.charges() == {"order-3": (PRICE, True)}


async def test_a_voided_charge_asked_again_is_declined_and_stays_voided(
    payments: Payments,
) -> None:
    port = payments.port
    await port.authorize(reference="order-5", amount=PRICE, token="tok_approve")
    await port.void(reference="order-5")
    for token in ("tok_approve", ""):
        again = await port.authorize(reference="order-5", amount=PRICE, token=token)
        assert again.outcome is PaymentOutcome.DECLINED
        assert again.payment_reference is None
    assert payments.charges() == {"order-5": (PRICE, True)}


async def test_another_amount_under_a_charged_reference_is_declined(payments: Payments) -> None:
    port = payments.port
    first = await port.authorize(reference="order-6", amount=PRICE, token="tok_approve")
    other = await port.authorize(
        reference="order-6", amount=Money.of("26.00", "EUR"), token="tok_approve"
    )
    assert other.outcome is PaymentOutcome.DECLINED
    assert other.payment_reference is None
    again = await port.authorize(reference="order-6", amount=PRICE, token="tok_approve")
    assert again == first  # the charge itself is untouched
    assert payments.charges() == {"order-6": (PRICE, False)}
