"""The webhooks read side for admins: subscriptions and their deliveries, as views."""

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from application.notifications.views import DeliveryView, WebhookView
from infrastructure.notifications.repositories import delivery_from_row, subscription_from_row
from infrastructure.notifications.tables import webhook_deliveries, webhook_subscriptions

s, d = webhook_subscriptions.c, webhook_deliveries.c


class SqlWebhookDirectory:
    """The WebhookDirectory port over the webhook tables."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def subscriptions(self) -> list[WebhookView]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(webhook_subscriptions).order_by(s.created_at))
            return [WebhookView.of(subscription_from_row(r._mapping)) for r in rows]

    async def exists(self, subscription_id: UUID) -> bool:
        async with self._engine.connect() as conn:
            found = await conn.execute(select(s.id).where(s.id == subscription_id))
            return found.first() is not None

    async def deliveries(self, subscription_id: UUID, *, limit: int) -> list[DeliveryView]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(webhook_deliveries)
                .where(d.subscription_id == subscription_id)
                .order_by(d.created_at.desc(), d.id)
                .limit(limit)
            )
            return [DeliveryView.of(delivery_from_row(r._mapping)) for r in rows]
