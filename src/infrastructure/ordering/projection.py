"""The order projection: `order_views` (one row per order, for lists, search and detail) and
`order_timeline` (one row per event, in words). Both are functions of the log alone, so a
rebuild gives the same rows."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.ordering import events as ev
from domain.ordering.values import OrderStatus
from domain.shared.events import DomainEvent
from infrastructure.eventlog.registry import EventRegistry, to_json_value
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.subscriptions import FailurePolicy
from infrastructure.ordering.event_types import ORDER_STREAM
from infrastructure.ordering.tables import order_timeline, order_views

S = OrderStatus


class OrderProjection:
    """Keeps `order_views` and `order_timeline` in step with the log; a failure stops it."""

    name = "order-views"
    on_failure = FailurePolicy.STOP

    def __init__(self, registry: EventRegistry) -> None:
        self._registry = registry

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        timeline = []
        for stored in events:
            if stored.stream_type != ORDER_STREAM:
                continue
            event = self._registry.deserialize(
                stored.event_type, stored.schema_version, dict(stored.payload)
            )
            assert isinstance(event, ev.OrderEvent)
            status = await self._apply(event, stored, conn)
            actor, summary = describe(event)
            timeline.append(
                {
                    "position": stored.position,
                    "order_id": event.order_id,
                    "version": stored.stream_version,
                    "event_type": stored.event_type,
                    "status": status,
                    "occurred_at": event.occurred_at,
                    "actor_id": actor,
                    "summary": summary,
                }
            )
        if timeline:
            await conn.execute(insert(order_timeline), timeline)

    async def reset(self, conn: AsyncConnection) -> None:
        await conn.execute(order_timeline.delete())
        await conn.execute(order_views.delete())

    async def _apply(self, event: ev.OrderEvent, stored: StoredEvent, conn: AsyncConnection) -> str:
        """Write the event into the order's row; returns the order's status after it."""
        if isinstance(event, ev.OrderPlaced):
            await conn.execute(insert(order_views).values(**_placed(event, stored.stream_version)))
            return S.PLACED
        changes = _changes(event)
        row = await conn.execute(
            update(order_views)
            .where(order_views.c.order_id == event.order_id)
            .values(updated_at=event.occurred_at, version=stored.stream_version, **changes)
            .returning(order_views.c.status)
        )
        return str(row.scalar_one())


def _placed(event: ev.OrderPlaced, version: int) -> dict[str, Any]:
    return {
        "order_id": event.order_id,
        "customer_id": event.customer_id,
        "status": S.PLACED,
        "total_amount": event.total.amount,
        "currency": event.total.currency,
        "item_count": sum(line.quantity for line in event.lines),
        "lines": to_json_value(event.lines),
        "shipping_address": to_json_value(event.shipping_address),
        "placed_at": event.occurred_at,
        "updated_at": event.occurred_at,
        "version": version,
    }


def _changes(event: DomainEvent) -> dict[str, Any]:
    """The read model's twin of the aggregate's state changes."""
    match event:
        case ev.OrderStockReserved():
            return {"status": S.AWAITING_PAYMENT, "awaiting_payment_since": event.occurred_at}
        case ev.OrderStockRejected(reason=reason):
            return {"status": S.REJECTED, "cancel_reason": reason}
        case ev.OrderPaid():
            return {"status": S.PAID}
        case ev.PaymentAuthorized(payment_reference=reference, occurred_at=at):
            return {"payment_reference": reference, "paid_at": at}
        case ev.OrderShipped(tracking_number=number, carrier=carrier):
            return {"status": S.SHIPPED, "tracking_number": number, "carrier": carrier}
        case ev.OrderDelivered():
            return {"status": S.DELIVERED}
        case ev.OrderCancelled(reason=reason):
            return {"status": S.CANCELLED, "cancel_reason": reason}
        case ev.RefundIssued(occurred_at=at):
            return {"status": S.REFUNDED, "refunded": True, "refunded_at": at}
    return {}


def describe(event: DomainEvent) -> tuple[Any, str]:
    """Who acted (None: the shop itself), and a line a customer reads."""
    match event:
        case ev.OrderPlaced(lines=lines, total=total):
            units = sum(line.quantity for line in lines)
            return None, f"Order placed: {units} item(s), {total.amount} {total.currency}"
        case ev.OrderStockReserved():
            return None, "Items reserved in the warehouse; waiting for payment"
        case ev.OrderStockRejected(reason=reason):
            return None, f"Order rejected: {reason}"
        case ev.PaymentAuthorized(amount=amount, payment_reference=reference):
            return None, f"Payment of {amount.amount} {amount.currency} authorized ({reference})"
        case ev.PaymentDeclined(reason=reason):
            return None, f"Payment declined: {reason}"
        case ev.PaymentFailed(reason=reason):
            return None, f"Payment could not be taken: {reason}"
        case ev.OrderPaid():
            return None, "Order paid"
        case ev.OrderShipped(tracking_number=number, carrier=carrier, actor_id=actor):
            via = f" with {carrier}" if carrier else ""
            return actor, f"Shipped{via}, tracking number {number}"
        case ev.OrderDelivered(actor_id=actor):
            return actor, "Delivered"
        case ev.OrderCancelled(reason=reason, actor_id=actor):
            return actor, f"Cancelled: {reason}"
        case ev.RefundIssued(amount=amount, reason=reason, actor_id=actor):
            return actor, f"Refunded {amount.amount} {amount.currency}: {reason}"
    return None, type(event).__name__
