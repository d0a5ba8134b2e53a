"""The fulfilment process, and what else drives an order's payment: the provider's callbacks
and the payment deadlines. Each sends the order's named steps through the bus."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

from application.ordering import commands as c
from application.ordering.deps import OrderingDeps
from application.ordering.ports import PaymentCallback, PaymentOutcome, PaymentUnavailable
from application.ordering.views import CallbackOutcome
from application.shared.bus import Command
from application.shared.errors import Unavailable
from domain.ordering import events as ev
from domain.ordering.errors import IllegalTransition, OrderNotFound
from domain.ordering.order import NO_CHARGE, OrderState
from domain.ordering.values import LineUnits, OrderStatus, ReturnStatus
from domain.shared.events import DomainEvent

log = logging.getLogger(__name__)
T = TypeVar("T")


class FulfilmentProcess:
    """The process manager: OrderPlaced -> reserve stock -> ConfirmStock (or RejectStock) ->
    authorise the amount due -> RecordPayment (or DeclinePayment, FailPayment), or SkipPayment
    when nothing is left to pay -> CapturePayment when the first parcel leaves (or at once,
    `capture_immediately`); a cancelled order's uncaptured authorisation is voided
    (VoidPayment); ReturnReceived -> RefundOrder -> MarkReturnRefunded. Every reaction is
    idempotent."""

    def __init__(self, deps: OrderingDeps) -> None:
        self._deps = deps
        self._reactions: dict[type[DomainEvent], Callable[[Any], Awaitable[None]]] = {
            ev.OrderPlaced: self._reserve_stock,
            ev.OrderStockReserved: self._take_payment,
            ev.OrderCancelled: self._void_unrecorded_payment,
            ev.PaymentAuthorized: self._void_late_authorisation,
            ev.OrderPaid: self._capture_at_once,
            ev.ShipmentDispatched: self._capture,
            ev.OrderShipped: self._capture,
            ev.ReturnReceived: self._refund_return,
            ev.RefundIssued: self._close_return,
        }

    @property
    def reacts_to(self) -> frozenset[type[DomainEvent]]:
        """The events it acts on; the others pass it by."""
        return frozenset(self._reactions)

    async def react(self, event: DomainEvent) -> None:
        reaction = self._reactions.get(type(event))
        if reaction is not None and isinstance(event, ev.OrderEvent | ev.ReturnEvent):
            await reaction(event)

    async def _reserve_stock(self, event: ev.OrderEvent) -> None:
        assert isinstance(event, ev.OrderPlaced)
        async with self._deps.uow() as uow:
            order = await uow.orders.get(event.order_id)
        if order is None or order.status is not OrderStatus.PLACED:
            return  # a replay after the order moved on (or was rejected): reserve nothing
        lines = [(line.sku, line.quantity) for line in event.lines]
        refused = await self._deps.stock.reserve(
            event.order_id, lines, hold_for=self._deps.reservation_hold
        )
        if refused is not None:
            await self._step(c.RejectStock(order_id=event.order_id, reason=refused))
            return
        confirmed = await self._step(c.ConfirmStock(order_id=event.order_id))
        if confirmed is not None and confirmed.status is not OrderStatus.AWAITING_PAYMENT:
            # Cancelled while its stock was being reserved: inventory may have settled the
            # cancellation before the reservation existed, so the units go back from here.
            await self._deps.stock.release(event.order_id)

    async def _take_payment(self, event: ev.OrderEvent) -> None:
        """Ask the provider under the order's reference, then record its answer. Repeatable
        from any crash point (ADR 0015): the token is forgotten only by the step that records
        a final answer, and the provider answers a repeat with the charge already made."""
        async with self._deps.uow() as uow:
            order = await uow.orders.get(event.order_id)
            token = await uow.payment_methods.get(event.order_id)
        if order is None or order.status is not OrderStatus.AWAITING_PAYMENT:
            return  # cancelled meanwhile, or this event is a replay of a step taken
        due = order.state.amount_due  # the total less what gift cards paid
        if due.amount == 0:
            await self._step(c.SkipPayment(order_id=order.id))
            return
        try:
            result = await self._deps.payments.authorize(
                reference=str(order.id), amount=due, token=token or ""
            )
        except PaymentUnavailable as exc:
            await self._step(c.FailPayment(order_id=order.id, reason=exc.detail))
            return
        if result.outcome is PaymentOutcome.APPROVED:
            reference = result.payment_reference or str(order.id)
            await self._step(
                c.RecordPayment(order_id=order.id, payment_reference=reference, amount=due)
            )
        elif result.outcome is PaymentOutcome.DECLINED:
            await self._step(
                c.DeclinePayment(order_id=order.id, reason=result.reason or "declined")
            )
        # PENDING: the provider calls back later, or the payment deadline cancels the order.

    async def _void_unrecorded_payment(self, event: ev.OrderEvent) -> None:
        """Void what the provider may hold under the reference (a charge whose answer was lost);
        a paid order cancelled before its capture has its authorisation voided; one captured
        keeps its money until staff refund it."""
        assert isinstance(event, ev.OrderCancelled)
        if not event.after_payment:
            await self._deps.payments.void(reference=str(event.order_id))
            return
        await self._void_authorisation(event.order_id, reason=event.reason)

    async def _void_late_authorisation(self, event: ev.OrderEvent) -> None:
        """An authorisation recorded after the order was cancelled is released at once."""
        await self._void_authorisation(event.order_id, reason="authorised after cancellation")

    async def _void_authorisation(self, order_id: UUID, *, reason: str) -> None:
        async with self._deps.uow() as uow:
            order = await uow.orders.get(order_id)
        if order is None or order.status is not OrderStatus.CANCELLED:
            return
        if not order.state.awaits_capture:
            return  # captured (money to refund), voided already, or paid by gift cards
        await self._deps.payments.void(reference=str(order_id))
        await self._step(c.VoidPayment(order_id=order_id, reason=reason))

    async def _capture_at_once(self, event: ev.OrderEvent) -> None:
        if self._deps.capture_immediately:
            await self._capture(event)

    async def _capture(self, event: ev.OrderEvent) -> None:
        """The first parcel left (ShipmentDispatched or OrderShipped, whichever comes first):
        the money is taken; the later one finds it captured and does nothing."""
        await self._step(c.CapturePayment(order_id=event.order_id))  # expired: logged

    async def _refund_return(self, event: ev.ReturnReceived) -> None:
        """RefundOrder for the received units (idempotent per return), then the return is
        marked refunded. Repeatable from any crash point: a replay after the mark finds the
        return refunded and does nothing; one between the two steps is answered by the
        refund already made under the return's id (ADR 0039)."""
        async with self._deps.uow() as uow:
            aggregate = await uow.returns.get(event.return_id)
        if aggregate is None or aggregate.status is not ReturnStatus.RECEIVED:
            return
        reference = NO_CHARGE  # gift cards paid what came back: no money moves
        if event.refund.amount:
            step = c.RefundOrder(
                order_id=event.order_id,
                reason=f"return {event.return_id}",
                actor_id=event.actor_id,
                amount=event.refund,
                lines=tuple(LineUnits(sku=u.sku, quantity=u.quantity) for u in event.units),
                return_id=event.return_id,
            )
            # A refusal (nothing captured yet, say) is raised: the runner retries it with
            # backoff, then parks the event where operators see it; the return stays received.
            try:
                refunded = await self._deps.bus.handle(step)
            except Unavailable:
                # The provider is out: the refund stays requested, the worker's
                # CompletePendingRefunds issues it later, and its RefundIssued closes the return.
                return
            # The refund made for this return, not merely the order's latest one.
            mine = [r for r in refunded.refunds if r.return_id == event.return_id and r.issued]
            if not mine or mine[-1].refund_reference is None:
                return
            reference = mine[-1].refund_reference
        await self._deps.bus.handle(
            c.MarkReturnRefunded(return_id=event.return_id, refund_reference=reference)
        )

    async def _close_return(self, event: ev.RefundIssued) -> None:
        """A return's refund that was issued later (the provider was out when the return was
        received, and the worker completed it) closes its return too."""
        if event.return_id is None:
            return
        await self._step(
            c.MarkReturnRefunded(return_id=event.return_id, refund_reference=event.refund_reference)
        )

    async def _step(self, step: Command[T]) -> T | None:
        try:
            return await self._deps.bus.handle(step)
        except IllegalTransition as exc:
            log.warning(
                "process step skipped", extra={"step": type(step).__name__, "why": exc.detail}
            )
            return None


async def handle_payment_callback(
    cmd: c.HandlePaymentCallback, deps: OrderingDeps
) -> CallbackOutcome:
    """A pending payment's result, verified and read by the payment adapter, recorded by the
    same steps the process sends; a duplicate changes nothing."""
    callback = deps.callbacks.read(cmd.body, cmd.signature)
    step: Command[OrderState]
    if callback.later is not None:
        step = _later_step(callback)
    elif callback.approved:
        assert callback.payment_reference is not None
        assert callback.amount is not None
        step = c.RecordPayment(
            order_id=callback.order_id,
            payment_reference=callback.payment_reference,
            amount=callback.amount,
        )
    else:
        step = c.DeclinePayment(
            order_id=callback.order_id, reason=callback.reason or "declined by the provider"
        )
    try:
        await deps.bus.handle(step)
    except OrderNotFound:
        return CallbackOutcome.IGNORED
    return CallbackOutcome.APPLIED


def _later_step(callback: PaymentCallback) -> Command[OrderState]:
    """Captured at the provider (say, by its dashboard): recorded; voided or lapsed there: the
    order, if still unshipped, is cancelled as an expired authorisation is; a refund's answer:
    recorded under the refund it completes."""
    order_id = callback.order_id
    if callback.later == "captured":
        assert callback.capture_reference is not None
        return c.RecordCapture(order_id=order_id, capture_reference=callback.capture_reference)
    if callback.later == "refunded":
        assert callback.refund_id is not None
        assert callback.refund_reference is not None
        return c.RecordRefund(
            order_id=order_id,
            refund_id=callback.refund_id,
            refund_reference=callback.refund_reference,
        )
    reason = callback.reason or "the authorisation was voided at the provider"
    return c.ExpireAuthorisation(order_id=order_id, reason=reason)


async def cancel_unpaid_orders(cmd: c.CancelUnpaidOrders, deps: OrderingDeps) -> int:
    """Cancels orders unpaid past the payment timeout and returns how many; safe in several
    workers at once. The deadline of an order that no longer waits (or is unknown) is dropped;
    one whose expiry fails is tried again a timeout later, so it cannot hold up the others."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        due = await uow.deadlines.due(now - deps.payment_timeout, limit=cmd.batch)
    seconds = int(deps.payment_timeout.total_seconds())
    within = f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"
    reason = f"payment not received within {within}"
    cancelled, settled, postponed = 0, [], []
    for order_id in due:
        try:
            state = await deps.bus.handle(c.ExpirePayment(order_id=order_id, reason=reason))
        except OrderNotFound:
            log.warning("payment deadline of an unknown order", extra={"order_id": str(order_id)})
            settled.append(order_id)
            continue
        except Exception:
            log.exception("payment deadline not expired", extra={"order_id": str(order_id)})
            postponed.append(order_id)
            continue
        cancelled += state.cancel_reason == reason and state.status is OrderStatus.CANCELLED
        if not state.awaits_payment:
            settled.append(order_id)
    async with deps.uow() as uow:
        for order_id in settled:
            await uow.deadlines.clear(order_id)
        for order_id in postponed:
            await uow.deadlines.start(order_id, since=now)
        await uow.commit()
    return cancelled
