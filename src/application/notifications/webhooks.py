"""Managing webhook subscriptions and their deliveries (admins)."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.shared.bus import Command
from application.shared.clock import Clock
from domain.notifications.webhooks import (
    DeliveryStatus,
    InvalidSubscription,
    WebhookNotFound,
    WebhookSubscription,
)


class UrlGuard(Protocol):
    """Keeps webhooks from calling into the shop's own network (SSRF)."""

    async def check(self, url: str) -> None:
        """Raise UnsafeWebhookUrl unless the URL may be called (scheme, resolved addresses)."""
        ...


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One event sent, or to be sent, to one subscription, and how its attempts went."""

    id: UUID
    subscription_id: UUID
    event_id: UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    response_status: int | None
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class Webhooks(Protocol):
    """Where subscriptions and the records of their deliveries are kept."""

    async def add(self, subscription: WebhookSubscription) -> None: ...

    async def get(self, subscription_id: UUID) -> WebhookSubscription | None: ...

    async def save(self, subscription: WebhookSubscription) -> None: ...

    async def all(self) -> list[WebhookSubscription]: ...

    async def deliveries(self, subscription_id: UUID, *, limit: int) -> list[Delivery]:
        """Newest first."""
        ...

    async def redeliver(
        self, subscription_id: UUID, delivery_id: UUID, *, now: datetime
    ) -> Delivery | None:
        """Send the delivery again from now on, with a fresh set of attempts."""
        ...


@dataclass(frozen=True, kw_only=True)
class WebhookDeps:
    """What the webhook handlers are given by the composition root."""

    webhooks: Webhooks
    guard: UrlGuard
    clock: Clock
    event_types: frozenset[str]  # every event type the log can hold


@dataclass(frozen=True, kw_only=True)
class RegisterWebhook(Command[WebhookSubscription]):
    """Subscribe a URL to known event types, once it passes the URL guard."""

    url: str
    event_types: frozenset[str]
    secret: str
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class DeactivateWebhook(Command[WebhookSubscription]):
    """Deliver no new events to the subscription; its delivery history stays."""

    subscription_id: UUID
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class RedeliverWebhook(Command[Delivery]):
    """Send one delivery again from now on, with a fresh set of attempts."""

    subscription_id: UUID
    delivery_id: UUID
    actor_id: UUID


async def register_webhook(cmd: RegisterWebhook, *, deps: WebhookDeps) -> WebhookSubscription:
    unknown = sorted(set(cmd.event_types) - deps.event_types)
    if unknown:
        raise InvalidSubscription(f"unknown event types: {', '.join(unknown)}")
    await deps.guard.check(cmd.url)
    subscription = WebhookSubscription(
        id=uuid.uuid4(),
        url=cmd.url,
        event_types=frozenset(cmd.event_types),
        secret=cmd.secret,
        created_by=cmd.actor_id,
        created_at=deps.clock.now(),
    )
    await deps.webhooks.add(subscription)
    return subscription


async def deactivate_webhook(cmd: DeactivateWebhook, *, deps: WebhookDeps) -> WebhookSubscription:
    subscription = await _existing(deps.webhooks, cmd.subscription_id)
    stopped = subscription.deactivate()
    await deps.webhooks.save(stopped)
    return stopped


async def redeliver_webhook(cmd: RedeliverWebhook, *, deps: WebhookDeps) -> Delivery:
    delivery = await deps.webhooks.redeliver(
        cmd.subscription_id, cmd.delivery_id, now=deps.clock.now()
    )
    if delivery is None:
        raise WebhookNotFound(f"delivery {cmd.delivery_id} not found")
    return delivery


async def _existing(webhooks: Webhooks, subscription_id: UUID) -> WebhookSubscription:
    subscription = await webhooks.get(subscription_id)
    if subscription is None:
        raise WebhookNotFound(f"webhook {subscription_id} not found")
    return subscription
