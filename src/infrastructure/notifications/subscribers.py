"""The log's webhook dispatcher: every event active subscriptions want becomes a delivery, in the
same transaction as the checkpoint, so each (event, subscription) gets exactly one delivery row.
Sending them is the worker's periodic `SendDueWebhooks` command."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.notifications.values import DeliveryStatus
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.subscribers import FailurePolicy
from infrastructure.notifications.tables import webhook_deliveries, webhook_subscriptions

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
