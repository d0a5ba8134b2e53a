"""Webhook handlers. Delivery is at least once, so receivers should dedupe by `Agora-Delivery-Id`
(a worker can die after the receiver accepted and before the outcome is recorded)."""

import asyncio
import logging
import random
import uuid

from application.notifications import commands as c
from application.notifications.deps import NotificationsDeps
from application.notifications.views import DeliveryView, Leased, WebhookView
from domain.notifications.errors import WebhookNotFound
from domain.notifications.webhook import WebhookSubscription

log = logging.getLogger(__name__)


async def register_webhook(cmd: c.RegisterWebhook, deps: NotificationsDeps) -> WebhookView:
    await deps.guard.check(cmd.url)
    subscription = WebhookSubscription.subscribe(
        id=uuid.uuid4(),
        url=cmd.url,
        event_types=cmd.event_types,
        secret=cmd.secret,
        known_types=deps.event_types,
        by=cmd.actor_id,
        now=deps.clock.now(),
    )
    async with deps.uow() as uow:
        await uow.subscriptions.add(subscription)
        await uow.commit()
    return WebhookView.of(subscription)


async def deactivate_webhook(cmd: c.DeactivateWebhook, deps: NotificationsDeps) -> WebhookView:
    async with deps.uow() as uow:
        subscription = await uow.subscriptions.get(cmd.subscription_id)
        if subscription is None:
            raise WebhookNotFound(f"webhook {cmd.subscription_id} not found")
        subscription.deactivate(by=cmd.actor_id, now=deps.clock.now())
        await uow.subscriptions.save(subscription)
        await uow.commit()
    return WebhookView.of(subscription)


async def redeliver_webhook(cmd: c.RedeliverWebhook, deps: NotificationsDeps) -> DeliveryView:
    async with deps.uow() as uow:
        delivery = await uow.deliveries.get(cmd.subscription_id, cmd.delivery_id)
        if delivery is None:
            raise WebhookNotFound(f"delivery {cmd.delivery_id} not found")
        seen = (delivery.attempts, delivery.status)
        delivery.redeliver(now=deps.clock.now())
        await uow.deliveries.save(delivery, seen=seen)
        await uow.commit()
    return DeliveryView.of(delivery)


async def send_due_webhooks(cmd: c.SendDueWebhooks, deps: NotificationsDeps) -> int:
    """Lease a batch, send it (the transport bounds how many at once), and record each outcome
    as soon as it is known, in a transaction of its own."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        leased = await uow.deliveries.lease(now=now, until=now + deps.lease, limit=cmd.batch)
        await uow.commit()
    await asyncio.gather(*(_send(one, deps) for one in leased))
    return len(leased)


async def _send(leased: Leased, deps: NotificationsDeps) -> None:
    attempt = await deps.transport.send(leased)
    delivery = leased.delivery
    seen = (delivery.attempts, delivery.status)
    jitter = random.uniform(0.5, 1.0)  # noqa: S311 - spreads retries, not cryptography
    delivery.record(attempt, now=deps.clock.now(), policy=deps.retry, jitter=jitter)
    async with deps.uow() as uow:
        await uow.deliveries.save(delivery, seen=seen)
        await uow.commit()
    if attempt.error is not None:
        log.warning(
            "webhook delivery failed",
            extra={
                "delivery": str(delivery.id),
                "attempt": delivery.attempts,
                "error": attempt.error,
            },
        )
