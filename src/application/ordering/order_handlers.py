"""Order handlers: checkout, and what customers and staff do to an order afterwards.

Every change goes through `change_order`: lock the stream, replay, call the aggregate, append
with the expected version, commit. A conflict is retried a bounded number of times."""

import uuid
from collections.abc import Callable
from dataclasses import asdict

from application.ordering.commands import (
    CancelOrder,
    CheckOut,
    MarkDelivered,
    RefundOrder,
    ShipOrder,
)
from application.ordering.dependencies import OrderingDeps
from application.ordering.ports import OrderingUnitOfWork
from application.ordering.views import CatalogItem, OrderView
from application.shared.errors import ConcurrencyConflict
from application.shared.idempotency import IdempotentRequest, Outcome
from domain.ordering.cart import Cart, CartNeedsReview
from domain.ordering.errors import EmptyOrder, OrderNotFound
from domain.ordering.order import Order
from domain.ordering.values import OrderLine

MAX_ATTEMPTS = 3


async def check_out(cmd: CheckOut, *, deps: OrderingDeps) -> Outcome[OrderView]:
    request = IdempotentRequest.of(
        owner_id=cmd.customer_id,
        key=cmd.idempotency_key,
        operation="checkout",
        payload=[asdict(cmd.shipping_address), cmd.payment_token],
    )
    now = deps.clock.now()
    async with deps.uow() as uow:
        earlier = await uow.idempotency.claim(request, OrderView, now=now)
        if earlier is not None:
            return Outcome(earlier, replayed=True)
        cart = await uow.carts.get(cmd.customer_id)
        if cart.is_empty:
            raise EmptyOrder("the cart is empty")
        lines = _priced(cart, await uow.catalog.items(line.sku for line in cart.lines))
        order = Order.place(
            order_id=uuid.uuid4(),
            customer_id=cmd.customer_id,
            lines=lines,
            shipping_address=cmd.shipping_address,
            now=now,
        )
        await uow.orders.save(order)
        await uow.payment_methods.put(order.id, cmd.payment_token)
        cart.clear()
        await uow.carts.save(cart)
        view = OrderView.of(order)
        await uow.idempotency.remember(request, view, now=now, keep_for=deps.idempotency_ttl)
        await uow.commit()
    return Outcome(view)


def _priced(cart: Cart, items: dict[str, CatalogItem]) -> list[OrderLine]:
    """The cart's lines at the catalog's prices, never the client's; refused if a line's
    product was archived or repriced since the customer last confirmed it."""
    lines = []
    for line in cart.lines:
        item = items.get(line.sku)
        if item is None or not item.active or item.price != line.confirmed_price:
            raise CartNeedsReview(
                f"{line.sku} was archived or repriced since it was added; review the cart"
            )
        lines.append(
            OrderLine(
                product_id=item.product_id,
                sku=item.sku,
                name=item.name,
                unit_price=item.price,
                quantity=line.quantity,
            )
        )
    return lines


async def cancel_order(cmd: CancelOrder, *, deps: OrderingDeps) -> Outcome[OrderView]:
    request = IdempotentRequest.of(
        owner_id=cmd.actor_id,
        key=cmd.idempotency_key,
        operation=f"cancel:{cmd.order_id}",
        payload=cmd.reason,
    )
    now = deps.clock.now()

    def cancel(order: Order) -> None:
        if not cmd.any_order and order.state.customer_id != cmd.actor_id:
            raise OrderNotFound(f"order {cmd.order_id} not found")
        order.cancel(cmd.reason, actor_id=cmd.actor_id, now=now)

    return await change_order(cmd.order_id, cancel, deps=deps, request=request)


async def ship_order(cmd: ShipOrder, *, deps: OrderingDeps) -> OrderView:
    now = deps.clock.now()

    def ship(order: Order) -> None:
        order.ship(cmd.tracking_number, carrier=cmd.carrier, actor_id=cmd.actor_id, now=now)

    return (await change_order(cmd.order_id, ship, deps=deps)).value


async def mark_delivered(cmd: MarkDelivered, *, deps: OrderingDeps) -> OrderView:
    now = deps.clock.now()

    def deliver(order: Order) -> None:
        order.deliver(actor_id=cmd.actor_id, now=now)

    return (await change_order(cmd.order_id, deliver, deps=deps)).value


async def refund_order(cmd: RefundOrder, *, deps: OrderingDeps) -> OrderView:
    """Pay back while holding the order's stream lock, so that nothing (a shipment, a second
    refund, the process) can change the order between the check and the record. The wait is
    bounded by the gateway's timeouts; refunds are rare. If the provider fails, nothing is
    recorded and nothing was paid; if recording fails after the provider paid, a retry sends
    the same reference and the provider answers with the refund it already made."""
    async with deps.uow() as uow:
        order = await uow.orders.get(cmd.order_id)  # takes the stream lock
        if order is None:
            raise OrderNotFound(f"order {cmd.order_id} not found")
        amount = order.check_refundable()
        assert order.state.payment_reference is not None  # check_refundable made sure
        refund_reference = await deps.payments.refund(
            reference=f"refund-{order.id}",
            payment_reference=order.state.payment_reference,
            amount=amount,
        )
        order.refund(
            refund_reference, reason=cmd.reason, actor_id=cmd.actor_id, now=deps.clock.now()
        )
        await uow.orders.save(order)
        await uow.commit()
    return OrderView.of(order)


async def change_order(
    order_id: uuid.UUID,
    change: Callable[[Order], None],
    *,
    deps: OrderingDeps,
    request: IdempotentRequest | None = None,
) -> Outcome[OrderView]:
    """Load, change, append, commit; retried on a concurrent append."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            async with deps.uow() as uow:
                outcome = await _change_once(uow, order_id, change, deps=deps, request=request)
                await uow.commit()
            return outcome
        except ConcurrencyConflict:
            if attempt == MAX_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


async def _change_once(
    uow: OrderingUnitOfWork,
    order_id: uuid.UUID,
    change: Callable[[Order], None],
    *,
    deps: OrderingDeps,
    request: IdempotentRequest | None,
) -> Outcome[OrderView]:
    now = deps.clock.now()
    if request is not None:
        earlier = await uow.idempotency.claim(request, OrderView, now=now)
        if earlier is not None:
            return Outcome(earlier, replayed=True)
    order = await uow.orders.get(order_id)
    if order is None:
        raise OrderNotFound(f"order {order_id} not found")
    change(order)
    await uow.orders.save(order)
    view = OrderView.of(order)
    if request is not None:
        await uow.idempotency.remember(request, view, now=now, keep_for=deps.idempotency_ttl)
    return Outcome(view)
