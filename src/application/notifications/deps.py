"""What the notifications handlers are given by the composition root."""

from dataclasses import dataclass
from datetime import timedelta

from application.notifications.ports import (
    MailRenderer,
    MailTransport,
    NotificationsUnitOfWorkFactory,
    UrlGuard,
    WebhookTransport,
)
from application.shared.clock import Clock
from domain.notifications.values import RetryPolicy


@dataclass(frozen=True, kw_only=True)
class NotificationsDeps:
    """Ports, the clock, and the delivery policy."""

    uow: NotificationsUnitOfWorkFactory
    guard: UrlGuard
    transport: WebhookTransport
    clock: Clock
    event_types: frozenset[str]  # every event type the log can hold
    retry: RetryPolicy
    lease: timedelta  # longer than a whole batch can take to send


@dataclass(frozen=True, kw_only=True)
class MailDeps:
    """What sending mail needs: the outbox, how a template is filled in, where mail goes."""

    uow: NotificationsUnitOfWorkFactory
    renderer: MailRenderer
    transport: MailTransport
    clock: Clock
    retry: RetryPolicy
    lease: timedelta  # longer than a whole batch can take to send
