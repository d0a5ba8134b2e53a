"""Webhook subscriptions and their delivery records in PostgreSQL (admins' side)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from application.notifications.webhooks import Delivery
from domain.notifications.webhooks import DeliveryStatus, WebhookSubscription
from infrastructure.notifications.tables import webhook_deliveries, webhook_subscriptions

s, d = webhook_subscriptions.c, webhook_deliveries.c


class SqlWebhooks:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, subscription: WebhookSubscription) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(insert(webhook_subscriptions).values(_row(subscription)))

    async def get(self, subscription_id: UUID) -> WebhookSubscription | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(webhook_subscriptions).where(s.id == subscription_id))
            ).one_or_none()
        return None if row is None else _subscription(row._mapping)

    async def save(self, subscription: WebhookSubscription) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(webhook_subscriptions)
                .where(s.id == subscription.id)
                .values(active=subscription.active)
            )

    async def all(self) -> list[WebhookSubscription]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(webhook_subscriptions).order_by(s.created_at))
            return [_subscription(r._mapping) for r in rows]

    async def deliveries(self, subscription_id: UUID, *, limit: int) -> list[Delivery]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(webhook_deliveries)
                .where(d.subscription_id == subscription_id)
                .order_by(d.created_at.desc(), d.id)
                .limit(limit)
            )
            return [_delivery(r._mapping) for r in rows]

    async def redeliver(
        self, subscription_id: UUID, delivery_id: UUID, *, now: datetime
    ) -> Delivery | None:
        """A pending delivery is left as it is: it is already queued (or being sent)."""
        mine = (d.id == delivery_id, d.subscription_id == subscription_id)
        async with self._engine.begin() as conn:
            await conn.execute(
                update(webhook_deliveries)
                .where(*mine, d.status != DeliveryStatus.PENDING)
                .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now)
            )
            row = (await conn.execute(select(webhook_deliveries).where(*mine))).one_or_none()
        return None if row is None else _delivery(row._mapping)


def _row(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "url": subscription.url,
        "event_types": sorted(subscription.event_types),
        "secret": subscription.secret,
        "created_by": subscription.created_by,
        "created_at": subscription.created_at,
        "active": subscription.active,
    }


def _subscription(r: Any) -> WebhookSubscription:
    return WebhookSubscription(
        id=r["id"],
        url=r["url"],
        event_types=frozenset(r["event_types"]),
        secret=r["secret"],
        created_by=r["created_by"],
        created_at=r["created_at"],
        active=r["active"],
    )


def _delivery(r: Any) -> Delivery:
    return Delivery(
        id=r["id"],
        subscription_id=r["subscription_id"],
        event_id=r["event_id"],
        event_type=r["event_type"],
        status=DeliveryStatus(r["status"]),
        attempts=r["attempts"],
        last_error=r["last_error"],
        response_status=r["response_status"],
        created_at=r["created_at"],
        next_attempt_at=r["next_attempt_at"],
        delivered_at=r["delivered_at"],
    )
