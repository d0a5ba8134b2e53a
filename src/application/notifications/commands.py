"""Notifications commands: admins manage webhook subscriptions and deliveries; the worker sends
what is due."""

from dataclasses import dataclass
from uuid import UUID

from application.notifications.views import DeliveryView, WebhookView
from application.shared.bus import Command


@dataclass(frozen=True, kw_only=True)
class RegisterWebhook(Command[WebhookView]):
    """Subscribe a URL to known event types, once it passes the URL guard."""

    url: str
    event_types: frozenset[str]
    secret: str
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class DeactivateWebhook(Command[WebhookView]):
    """Deliver no new events to the subscription; its delivery history stays."""

    subscription_id: UUID
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class RedeliverWebhook(Command[DeliveryView]):
    """Send one delivery again from now on, with a fresh set of attempts."""

    subscription_id: UUID
    delivery_id: UUID
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class SendDueWebhooks(Command[int]):
    """The worker's round: lease a batch of due deliveries, send them, record each outcome.
    Returns how many were tried."""

    batch: int = 50


@dataclass(frozen=True, kw_only=True)
class SendDueMail(Command[int]):
    """The worker's round of mail: lease a batch of due messages, render and send each, record
    each outcome. Returns how many were tried."""

    batch: int = 20
