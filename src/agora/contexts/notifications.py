"""Notifications wired: webhook subscriptions and deliveries in PostgreSQL, the log's webhook
dispatcher, and the worker's rounds of sending due deliveries over HTTP."""

from datetime import timedelta
from functools import partial

from agora.platform import Job, Platform, Wiring
from application.notifications import commands as c
from application.notifications.deps import NotificationsDeps
from application.notifications.handlers import webhook
from application.notifications.queries import NotificationsQueries
from application.shared.bus import CommandBus
from domain.notifications.events import EVENTS
from domain.notifications.values import RetryPolicy
from infrastructure.http.url_guard import NetworkUrlGuard
from infrastructure.http.webhooks import HttpWebhookTransport
from infrastructure.notifications.readers import SqlWebhookDirectory
from infrastructure.notifications.subscribers import WebhookDispatcher
from infrastructure.notifications.unit_of_work import SqlNotificationsUnitOfWork

NAME = "notifications"
__all__ = ["EVENTS", "NAME", "dependencies", "queries", "register", "wire"]

BATCH = 50
CONCURRENCY = 10


def wire(p: Platform) -> Wiring:
    register(p.bus, dependencies(p))
    poll = p.settings.webhooks.poll_seconds
    return Wiring(
        subscribers=[WebhookDispatcher()],
        jobs=[Job("webhook-sender", every=poll, command=c.SendDueWebhooks(batch=BATCH))],
    )


def dependencies(p: Platform) -> NotificationsDeps:
    w = p.settings.webhooks
    guard = NetworkUrlGuard(allow_http_localhost=w.allow_http_localhost)
    # A lease outlives the whole batch (rounds of CONCURRENCY, each within the timeout).
    rounds = -(-BATCH // CONCURRENCY)
    return NotificationsDeps(
        uow=partial(SqlNotificationsUnitOfWork, p.engine, p.registry),
        guard=guard,
        transport=HttpWebhookTransport(
            http=p.http,
            guard=guard,
            clock=p.clock,
            timeout_seconds=w.timeout_seconds,
            concurrency=CONCURRENCY,
        ),
        clock=p.clock,
        event_types=frozenset(t.name for t in p.registry.types()),
        retry=RetryPolicy(max_attempts=w.max_attempts, backoff_seconds=w.backoff_seconds),
        lease=timedelta(seconds=2 * rounds * w.timeout_seconds + 10),
    )


def register(bus: CommandBus, deps: NotificationsDeps) -> None:
    """The context's command handlers on the bus (tests register them with fakes)."""
    bus.register(c.RegisterWebhook, webhook.register_webhook, deps)
    bus.register(c.DeactivateWebhook, webhook.deactivate_webhook, deps)
    bus.register(c.RedeliverWebhook, webhook.redeliver_webhook, deps)
    bus.register(c.SendDueWebhooks, webhook.send_due_webhooks, deps)


def queries(p: Platform) -> NotificationsQueries:
    return NotificationsQueries(webhooks=SqlWebhookDirectory(p.engine))
