"""Handlers of orders: checkout, people's actions, the fulfilment steps, idempotency-key upkeep.
Each change loads the order under its stream's lock, calls one method and commits (`_change`)."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from uuid import UUID

from application.ordering import commands as c
from application.ordering.access import access_token_hash, new_access_token
from application.ordering.deps import OrderingDeps
from application.ordering.ports import (
    FulfilmentBacklogged,
    LocationLacksUnits,
    OrderingUnitOfWork,
)
from application.ordering.pricing import Buyer, Choices, price_cart
from application.ordering.views import PlacedOrder
from application.shared.idempotency import idempotent
from application.shared.unit_of_work import retried
from domain.ordering.errors import (
    EmailNotVerified,
    EmailRequired,
    EmptyOrder,
    InvalidAddress,
    OrderNotFound,
    PaymentTokenRequired,
)
from domain.ordering.order import Order, OrderState
from domain.ordering.shipments import shipment_id_for
from domain.ordering.values import OrderStatus, ShippingAddress

# Long enough for the backlog to be measured afresh (every second by default) and some orders
# to get through; short next to a backlog's drain, so checkouts resume soon after (ADR 0023).
BACKLOG_RETRY_AFTER_SECONDS = 5

# -- what people do to orders ------------------------------------------------------------------


@idempotent(PlacedOrder)
async def check_out(cmd: c.CheckOut, deps: OrderingDeps) -> PlacedOrder:
    """The order placed as the pipeline priced the cart, its coupons redeemed and gift cards
    debited, its payment token and deadline kept, and the cart emptied, in one transaction:
    any refusal leaves all of it as it was. Refused while fulfilment is too far behind (a
    replay of an accepted checkout is answered by `idempotent` before this runs)."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        await _refuse_when_backlogged(uow, deps.max_fulfilment_backlog)
        cart = await uow.carts.get(cmd.customer_id)
        if cart.is_empty:
            raise EmptyOrder("the cart is empty")
        email = _email(cmd)
        shipping = await _address(
            uow, cmd.customer_id, cmd.shipping_address, cmd.shipping_address_id
        ) or await uow.addresses.default(customer_id=cmd.customer_id, kind="shipping")
        if shipping is None:
            raise InvalidAddress("give a shipping_address, or the id of a saved one")
        billing = await _address(uow, cmd.customer_id, cmd.billing_address, cmd.billing_address_id)
        priced, _ = await price_cart(
            uow,
            cart,
            default_currency=deps.default_currency,
            choices=Choices(
                country=shipping.country,
                region=shipping.region,
                shipping_method=cmd.shipping_method,
                coupon_codes=cmd.coupon_codes,
                gift_card_codes=cmd.gift_card_codes,
            ),
            buyer=Buyer(customer_id=cmd.customer_id, email=email),
            now=now,
        )
        breakdown = priced.breakdown
        if breakdown.amount_due.amount and not cmd.payment_token:
            raise PaymentTokenRequired(f"{breakdown.amount_due} is left to pay: send a token")
        order = Order.place(
            order_id=uuid.uuid4(),
            customer_id=cmd.customer_id,
            pricing=priced.given,
            breakdown=breakdown,
            shipping_address=shipping,
            billing_address=billing,
            email=email,
            guest=cmd.guest,
            now=now,
        )
        await uow.orders.add(order)
        await _spend(uow, order, email=email, now=now)
        if cmd.payment_token:
            await uow.payment_methods.put(order.id, cmd.payment_token)
        await uow.deadlines.start(order.id, since=now)
        access_token = await _grant_access(uow, order, email) if cmd.guest else None
        cart.clear()
        await uow.carts.save(cart)
        await uow.commit()
    return PlacedOrder.of(order.state, access_token=access_token)


async def claim_guest_orders(cmd: c.ClaimGuestOrders, deps: OrderingDeps) -> list[OrderState]:
    """Every guest order placed with the account's verified email becomes the account's, one
    `OrderClaimed` each, in one transaction; claiming again changes nothing."""
    if not cmd.email_verified:
        raise EmailNotVerified(f"verify {cmd.email} first: it proves the orders are yours")
    now = deps.clock.now()
    claimed = []
    async with deps.uow() as uow:
        for order_id in await uow.access.placed_with(cmd.email):
            order = await _load(uow.orders.get, order_id)
            if order.state.guest:
                order.claim(customer_id=cmd.customer_id, email=cmd.email, now=now)
                claimed.append(order.state)
        await uow.commit()
    return claimed


@retried
@idempotent(OrderState)
async def cancel_order(cmd: c.CancelOrder, deps: OrderingDeps) -> OrderState:
    def cancel(order: Order, now: datetime) -> None:
        if not cmd.any_order and order.state.customer_id != cmd.actor_id:
            raise OrderNotFound(f"order {cmd.order_id} not found")
        order.cancel(cmd.reason, actor_id=cmd.actor_id, now=now)

    return await _change(cmd.order_id, cancel, deps=deps)


@retried
async def ship_order(cmd: c.ShipOrder, deps: OrderingDeps) -> OrderState:
    """A parcel leaves, if the stock location holds its units: asked before the event is
    raised, under the order's stream lock, so two parcels never ship the same ordered units.
    Inventory settles each parcel after it left; until it has, the check sees the order's
    reservations as they were (ADR 0040)."""
    async with deps.uow() as uow:
        order = await _load(uow.orders.get, cmd.order_id)
        shipment_id = cmd.shipment_id or shipment_id_for(order.id, cmd.tracking_number)
        carries = order.check_shipment(shipment_id, cmd.lines, tracking_number=cmd.tracking_number)
        if carries is None:
            return order.state  # the same shipment reported again
        refused = await deps.stock.check_shipment(order.id, carries, cmd.location)
        if refused is not None:
            raise LocationLacksUnits(refused)
        before = order.state
        order.dispatch_shipment(
            shipment_id,
            carries,
            tracking_number=cmd.tracking_number,
            carrier=cmd.carrier,
            location=cmd.location,
            actor_id=cmd.actor_id,
            now=deps.clock.now(),
        )
        await keep_payment_clocks(uow, before, order.state)  # shipped: the capture comes next
        await uow.commit()
    return order.state


# One handler for every command that changes an order by one method of the aggregate: the
# staff's and warehouse's deliveries, and the named steps of the fulfilment process.
OrderChange = (
    c.MarkDelivered
    | c.DeliverShipment
    | c.ConfirmStock
    | c.RejectStock
    | c.RecordPayment
    | c.SkipPayment
    | c.DeclinePayment
    | c.FailPayment
    | c.ExpirePayment
    | c.VoidPayment
    | c.ExpireAuthorisation
    | c.RecordCapture
    | c.RecordRefund
)


@retried
async def change_order(cmd: OrderChange, deps: OrderingDeps) -> OrderState:
    def change(order: Order, now: datetime) -> None:
        match cmd:
            case c.MarkDelivered(actor_id=actor):
                order.deliver(actor_id=actor, now=now)
            case c.DeliverShipment(shipment_id=shipment_id, actor_id=actor):
                order.deliver_shipment(shipment_id, actor_id=actor, now=now)
            case c.ConfirmStock():
                order.confirm_stock(now=now)
            case c.RejectStock(reason=reason):
                order.reject_for_stock(reason, now=now)
            case c.RecordPayment(payment_reference=reference, amount=amount):
                order.record_payment(reference, amount, now=now)
            case c.SkipPayment():
                order.skip_payment(now=now)
            case c.DeclinePayment(reason=reason):
                order.decline_payment(reason, now=now)
            case c.FailPayment(reason=reason):
                order.fail_payment(reason, now=now)
            case c.ExpirePayment(reason=reason):
                order.expire_payment(reason, now=now)
            case c.VoidPayment(reason=reason):
                order.void_payment(reason, actor_id=None, now=now)
            case c.ExpireAuthorisation(reason=reason):
                order.expire_authorisation(reason, now=now)
            case c.RecordCapture(capture_reference=reference):
                order.capture(reference, actor_id=None, now=now)
            case c.RecordRefund(refund_id=refund_id, refund_reference=reference):
                order.issue_refund(refund_id, reference, now=now)

    return await _change(cmd.order_id, change, deps=deps)


async def forget_idempotency_keys(cmd: c.ForgetIdempotencyKeys, deps: OrderingDeps) -> int:
    async with deps.uow() as uow:
        forgotten = await uow.idempotency.forget_expired(now=deps.clock.now())
        await uow.commit()
    return forgotten


async def _change(
    order_id: UUID, change: Callable[[Order, datetime], None], *, deps: OrderingDeps
) -> OrderState:
    """The payment deadline restarts when the stock is confirmed (the customer's wait for the
    payment starts then); an order that stops waiting has it cleared and its token forgotten in
    the same transaction, so the answer is recorded before the secret is let go."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        order = await _load(uow.orders.get, order_id)
        before = order.state
        change(order, now)
        if before.status is OrderStatus.PLACED and order.status is OrderStatus.AWAITING_PAYMENT:
            await uow.deadlines.start(order.id, since=now)
        elif before.awaits_payment and not order.state.awaits_payment:
            await uow.deadlines.clear(order.id)
            await uow.payment_methods.forget(order.id)
        await keep_payment_clocks(uow, before, order.state)
        await uow.commit()
    return order.state


def _waits_for_capture(state: OrderState) -> bool:
    return state.awaits_capture and state.status is OrderStatus.PAID


async def keep_payment_clocks(
    uow: OrderingUnitOfWork, before: OrderState, after: OrderState
) -> None:
    """The capture's clock runs from the authorisation while the order is paid and not
    captured; a refund's while one is pending (ADR 0037): each is started and cleared in the
    transaction that records the change, as the payment deadline is."""
    if _waits_for_capture(after) and not _waits_for_capture(before):
        assert after.paid_at is not None
        await uow.captures.start(after.id, since=after.paid_at)
    elif _waits_for_capture(before) and not _waits_for_capture(after):
        await uow.captures.clear(after.id)
    if after.pending_refunds and not before.pending_refunds:
        await uow.pending_refunds.start(after.id, since=after.updated_at)
    elif before.pending_refunds and not after.pending_refunds:
        await uow.pending_refunds.clear(after.id)


def _email(cmd: c.CheckOut) -> str | None:
    if cmd.guest and not cmd.email:
        raise EmailRequired("a guest's order needs an email address")
    return cmd.email


async def _address(
    uow: OrderingUnitOfWork,
    customer_id: UUID,
    given: ShippingAddress | None,
    saved_id: UUID | None,
) -> ShippingAddress | None:
    """A new address as given, or a saved one of the customer's address book."""
    if given is not None or saved_id is None:
        return given
    found = await uow.addresses.address(customer_id=customer_id, address_id=saved_id)
    if found is None:
        raise InvalidAddress(f"no saved address {saved_id} in your address book")
    return found


async def _spend(
    uow: OrderingUnitOfWork, order: Order, *, email: str | None, now: datetime
) -> None:
    """One use of each coupon that took something off, and each gift card's charge, taken in
    the order's transaction: if either is refused, the order is not placed."""
    breakdown = order.state.breakdown
    if breakdown.coupons_applied:
        await uow.promotions.redeem(
            breakdown.coupons_applied,
            order_id=order.id,
            customer_id=order.state.customer_id,
            email=email,
            now=now,
        )
    if breakdown.gift_cards:
        await uow.gift_cards.debit(breakdown.gift_cards, order_id=order.id, now=now)


async def _grant_access(uow: OrderingUnitOfWork, order: Order, email: str | None) -> str:
    """A random secret that opens the order without logging in; only its hash is kept."""
    assert email is not None  # _email made sure for a guest
    token = new_access_token()
    await uow.access.grant(order.id, token_hash=access_token_hash(token), email=email)
    return token


async def _refuse_when_backlogged(uow: OrderingUnitOfWork, bound: int) -> None:
    if bound and await uow.backlog.orders_waiting(up_to=bound) >= bound:
        raise FulfilmentBacklogged(
            f"{bound} orders are already waiting for stock and payment; try again shortly",
            retry_after=BACKLOG_RETRY_AFTER_SECONDS,
        )


async def _load(get: Callable[[UUID], Awaitable[Order | None]], order_id: UUID) -> Order:
    order = await get(order_id)
    if order is None:
        raise OrderNotFound(f"order {order_id} not found")
    return order
