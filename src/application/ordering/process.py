"""The fulfilment process manager: reacts to order events from the log and drives the next
step. OrderPlaced -> reserve stock -> OrderStockReserved -> take payment -> OrderPaid, and
compensates on the way back: a cancelled, rejected or refunded order gives its stock back.

Every reaction is idempotent (inventory's calls are per order; the provider dedupes by the
order's reference; the aggregate ignores a step already taken), so the log may deliver an
event twice and nothing changes the second time."""

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from uuid import UUID

from application.ordering.commands import CancelUnpaidOrders
from application.ordering.dependencies import OrderingDeps
from application.ordering.order_handlers import change_order
from application.ordering.ports import OrderReader, PaymentOutcome, PaymentUnavailable
from domain.ordering import events as ev
from domain.ordering.errors import IllegalTransition
from domain.ordering.order import Order
from domain.ordering.values import OrderStatus
from domain.shared.events import DomainEvent

log = logging.getLogger(__name__)


class FulfillmentProcess:
    """Event type -> reaction, in one visible table."""

    def __init__(self, deps: OrderingDeps) -> None:
        self._deps = deps
        self._reactions: dict[type[DomainEvent], Callable[[ev.OrderEvent], Awaitable[None]]] = {
            ev.OrderPlaced: self._reserve_stock,
            ev.OrderStockReserved: self._take_payment,
            ev.OrderPaid: self._keep_stock,
            ev.OrderShipped: self._commit_stock,
            ev.OrderCancelled: self._undo,
            ev.RefundIssued: self._release_stock,
        }

    async def react(self, event: DomainEvent) -> None:
        reaction = self._reactions.get(type(event))
        if reaction is not None and isinstance(event, ev.OrderEvent):
            await reaction(event)

    async def _reserve_stock(self, event: ev.OrderEvent) -> None:
        assert isinstance(event, ev.OrderPlaced)
        if await self._status(event.order_id) is not OrderStatus.PLACED:
            return  # a replay after the order moved on (or was rejected): reserve nothing
        lines = [(line.sku, line.quantity) for line in event.lines]
        refused = await self._deps.stock.reserve(
            event.order_id, lines, hold_for=self._deps.reservation_hold
        )
        now = self._deps.clock.now()
        if refused is None:
            await self._step(event.order_id, lambda o: o.confirm_stock(now=now))
        else:
            await self._step(event.order_id, lambda o: o.reject_for_stock(refused, now=now))

    async def _status(self, order_id: UUID) -> OrderStatus | None:
        async with self._deps.uow() as uow:
            order = await uow.orders.get(order_id)
        return None if order is None else order.status

    async def _take_payment(self, event: ev.OrderEvent) -> None:
        async with self._deps.uow() as uow:
            order = await uow.orders.get(event.order_id)
            token = await uow.payment_methods.get(event.order_id)
        if order is None or order.status is not OrderStatus.AWAITING_PAYMENT:
            return  # cancelled meanwhile, or this event is a replay of a step taken
        try:
            result = await self._deps.payments.authorize(
                reference=str(order.id), amount=order.state.total, token=token or ""
            )
        except PaymentUnavailable as exc:
            now, reason = self._deps.clock.now(), exc.detail
            await self._step(order.id, lambda o: o.fail_payment(reason, now=now))
            return
        if result.outcome is not PaymentOutcome.PENDING:
            async with self._deps.uow() as uow:
                await uow.payment_methods.forget(order.id)
                await uow.commit()
        now = self._deps.clock.now()
        if result.outcome is PaymentOutcome.APPROVED:
            reference = result.payment_reference or str(order.id)
            total = order.state.total
            await self._step(order.id, lambda o: o.record_payment(reference, total, now=now))
        elif result.outcome is PaymentOutcome.DECLINED:
            reason = result.reason or "declined"
            await self._step(order.id, lambda o: o.decline_payment(reason, now=now))
        # PENDING: the provider calls the webhook later, or the unpaid-order sweep cancels.

    async def _keep_stock(self, event: ev.OrderEvent) -> None:
        await self._deps.stock.keep(event.order_id)

    async def _commit_stock(self, event: ev.OrderEvent) -> None:
        await self._deps.stock.commit(event.order_id)

    async def _release_stock(self, event: ev.OrderEvent) -> None:
        await self._deps.stock.release(event.order_id)  # nothing held after shipping: a no-op

    async def _undo(self, event: ev.OrderEvent) -> None:
        """Give the stock back; and if no payment was recorded, void whatever the provider may
        have authorised under the order's reference (a charge whose answer was lost). A paid
        order that is cancelled keeps its payment until staff refund it."""
        assert isinstance(event, ev.OrderCancelled)
        await self._deps.stock.release(event.order_id)
        if not event.after_payment:
            await self._deps.payments.void(reference=str(event.order_id))

    async def _step(self, order_id: UUID, step: Callable[[Order], None]) -> None:
        try:
            await change_order(order_id, step, deps=self._deps)
        except IllegalTransition as exc:
            log.warning(
                "process step skipped", extra={"order_id": str(order_id), "why": exc.detail}
            )


async def cancel_unpaid_orders(
    cmd: CancelUnpaidOrders, *, deps: OrderingDeps, reader: OrderReader
) -> int:
    """Cancel orders left unpaid (or never confirmed) longer than the payment timeout; their
    stock is released by the process when it sees the cancellation. Returns how many this call
    cancelled, which may be fewer than the read model offered while it catches up."""
    now: datetime = deps.clock.now()
    due = await reader.unpaid_since_before(now - deps.payment_timeout, limit=cmd.batch)
    seconds = int(deps.payment_timeout.total_seconds())
    within = f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"
    reason = f"payment not received within {within}"
    cancelled = 0
    for order_id in due:
        outcome = await change_order(
            order_id, lambda o: o.expire_payment(reason, now=now), deps=deps
        )
        cancelled += outcome.value.cancel_reason == reason
    return cancelled
