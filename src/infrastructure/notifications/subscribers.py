"""The log's webhook dispatcher: every event active subscriptions want becomes a delivery, in the
same transaction as the checkpoint, so each (event, subscription) gets exactly one delivery row.
Sending them is the worker's periodic `SendDueWebhooks` command.

The log's order mailer, the same way: the events customers hear about become mail, one per
(event, template); sending it is the worker's periodic `SendDueMail` (ADR 0041). Where an
order's mail goes is learnt from its OrderPlaced (`order_contacts`): the email given at
checkout, else the account's, asked of identity through the AccountEmails port."""

import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from application.notifications.ports import AccountEmails
from domain.notifications.mail import Mail
from domain.notifications.values import DeliveryStatus
from infrastructure.eventlog.registry import EventRegistry, to_json_value
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.subscribers import FailurePolicy, Interest
from infrastructure.notifications.repositories import SqlMailRepository
from infrastructure.notifications.tables import (
    order_contacts,
    webhook_deliveries,
    webhook_subscriptions,
)

s = webhook_subscriptions.c


class WebhookDispatcher:
    """A log subscriber: one delivery per matching event and active subscription."""

    name = "webhooks"
    on_failure = FailurePolicy.RETRY  # a missed webhook is a lost message: never skip

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        subscriptions = (
            await conn.execute(select(s.id, s.event_types).where(s.active.is_(True)))
        ).all()
        rows = [
            {
                "id": uuid.uuid4(),
                "subscription_id": subscription.id,
                "event_id": event.event_id,
                "event_type": event.event_type,
                "body": _body(event),
                "status": DeliveryStatus.PENDING,
                "created_at": event.recorded_at,
                "next_attempt_at": event.recorded_at,
            }
            for event in events
            for subscription in subscriptions
            if event.event_type in subscription.event_types
        ]
        if rows:
            await conn.execute(pg_insert(webhook_deliveries).values(rows).on_conflict_do_nothing())


def _body(event: StoredEvent) -> dict[str, Any]:
    return {
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "schema_version": event.schema_version,
        "stream_id": event.stream_id,
        "stream_version": event.stream_version,
        "recorded_at": event.recorded_at.isoformat(),
        "payload": dict(event.payload),
    }


log = logging.getLogger(__name__)
oc = order_contacts.c

# Which event becomes which mail. OrderShipped is mailed only for an order none of whose
# parcels was (an order shipped before split shipments existed, or by an integration that
# reports the order alone): one parcel, one mail.
TEMPLATES = {
    "OrderPlaced": "order_placed",
    "OrderPaid": "order_paid",
    "ShipmentDispatched": "order_shipped",
    "OrderShipped": "order_shipped",
    "RefundIssued": "refund_issued",
    "ReturnApproved": "return_approved",
}


class OrderMailer:
    """A log subscriber: one mail per event customers are told of."""

    name = "order-mail"
    on_failure = FailurePolicy.RETRY  # a mail not written is a customer never told: never skip
    interest = Interest.of(event_types=TEMPLATES)

    def __init__(
        self,
        registry: EventRegistry,
        *,
        accounts: Callable[[AsyncConnection], AccountEmails],
        domain: str,
    ) -> None:
        self._registry = registry
        self._accounts = accounts
        self._domain = domain

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        # In order: a parcel's mail is known before the OrderShipped that may follow it.
        for stored in events:
            if stored.event_type in TEMPLATES:
                await self._mail(stored, conn)

    async def _mail(self, stored: StoredEvent, conn: AsyncConnection) -> None:
        # Upcast to the current schema, so templates see one shape of each event.
        event = to_json_value(self._registry.decode(stored))
        order_id = uuid.UUID(event["order_id"])
        if stored.event_type == "OrderPlaced":
            await self._remember(order_id, event, conn)
        contact = (
            await conn.execute(select(order_contacts).where(oc.order_id == order_id))
        ).one_or_none()
        if contact is None:
            log.warning("no address for the order's mail", extra={"order": str(order_id)})
            return
        if stored.event_type == "OrderShipped" and contact.parcel_mailed:
            return
        if stored.event_type == "ShipmentDispatched" and not contact.parcel_mailed:
            await conn.execute(
                update(order_contacts).where(oc.order_id == order_id).values(parcel_mailed=True)
            )
        mail = Mail.queue(
            id=uuid.uuid4(),
            event_id=stored.event_id,
            template=TEMPLATES[stored.event_type],
            recipient=contact.email,
            context=_context(stored.event_type, event),
            domain=self._domain,
            now=stored.recorded_at,
        )
        await SqlMailRepository(conn).add(mail)

    async def _remember(self, order_id: uuid.UUID, placed: Any, conn: AsyncConnection) -> None:
        email = placed.get("email") or await self._accounts(conn).email_of(
            uuid.UUID(placed["customer_id"])
        )
        if email is not None:
            await conn.execute(
                pg_insert(order_contacts)
                .values(order_id=order_id, email=email, parcel_mailed=False)
                .on_conflict_do_nothing()
            )


def _context(event_type: str, event: dict[str, Any]) -> dict[str, Any]:
    """What the template is filled in with: the event as the log's contracts publish it, and
    which event it was (the shipped template tells a parcel from the whole order)."""
    return {"kind": event_type, "order_id": event["order_id"], "event": event}
