"""Notifications' reads for admins: subscriptions and their deliveries."""

from uuid import UUID

from application.notifications.ports import WebhookDirectory
from application.notifications.views import DeliveryView, WebhookView
from domain.notifications.errors import WebhookNotFound


class NotificationsQueries:
    """What routes read of notifications."""

    def __init__(self, *, webhooks: WebhookDirectory) -> None:
        self._webhooks = webhooks

    async def subscriptions(self) -> list[WebhookView]:
        return await self._webhooks.subscriptions()

    async def deliveries(self, subscription_id: UUID, *, limit: int) -> list[DeliveryView]:
        if not await self._webhooks.exists(subscription_id):
            raise WebhookNotFound(f"webhook {subscription_id} not found")
        return await self._webhooks.deliveries(subscription_id, limit=limit)
