"""Notifications wired: webhook subscriptions and deliveries in PostgreSQL, the log's webhook
dispatcher, and the worker's rounds of sending due deliveries over HTTP; the log's order
mailer, and the worker's rounds of sending due mail where MAIL_BACKEND says."""

from datetime import timedelta
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from agora.contexts.identity import AccountEmailsForNotifications
from agora.platform import Job, Platform, Wiring
from agora.settings import ConfigurationError, Settings
from application.notifications import commands as c
from application.notifications.deps import MailDeps, NotificationsDeps
from application.notifications.handlers import mail, webhook
from application.notifications.ports import MailTransport
from application.notifications.queries import NotificationsQueries
from application.shared.bus import CommandBus
from domain.notifications.events import EVENTS
from domain.notifications.values import RetryPolicy
from infrastructure.http.url_guard import NetworkUrlGuard
from infrastructure.http.webhooks import HttpWebhookTransport
from infrastructure.mail.templates import JinjaMailRenderer
from infrastructure.mail.transports import (
    LoggedMailTransport,
    MaildirMailTransport,
    SmtpMailTransport,
    sender_domain,
)
from infrastructure.notifications.readers import SqlWebhookDirectory
from infrastructure.notifications.subscribers import OrderMailer, WebhookDispatcher
from infrastructure.notifications.unit_of_work import SqlNotificationsUnitOfWork

NAME = "notifications"
__all__ = ["EVENTS", "NAME", "dependencies", "queries", "register", "wire"]

BATCH = 50
CONCURRENCY = 10
MAIL_BATCH = 20


def wire(p: Platform) -> Wiring:
    register(p.bus, dependencies(p))
    register_mail(p.bus, mail_dependencies(p))
    poll = p.settings.webhooks.poll_seconds
    mailer = OrderMailer(
        p.registry,
        accounts=AccountEmailsForNotifications,
        domain=sender_domain(p.settings.mail.sender),
    )
    return Wiring(
        subscribers=[WebhookDispatcher(), mailer],
        jobs=[
            Job("webhook-sender", every=poll, command=c.SendDueWebhooks(batch=BATCH)),
            Job(
                "mail-sender",
                every=p.settings.mail.poll_seconds,
                command=c.SendDueMail(batch=MAIL_BATCH),
            ),
        ],
    )


def mail_dependencies(p: Platform) -> MailDeps:
    m = p.settings.mail
    return MailDeps(
        uow=partial(SqlNotificationsUnitOfWork, p.engine, p.registry),
        renderer=JinjaMailRenderer(),
        transport=mail_transport(p.settings),
        clock=p.clock,
        retry=RetryPolicy(max_attempts=m.max_attempts, backoff_seconds=m.backoff_seconds),
        # Each message of a batch is sent at once, each within the timeout.
        lease=timedelta(seconds=2 * m.timeout_seconds + 10),
    )


def mail_transport(settings: Settings) -> MailTransport:
    """MAIL_BACKEND's transport: smtp when MAIL_URL is set and no backend is named, else a
    maildir under the data directory."""
    m = settings.mail
    backend = m.backend or ("smtp" if m.url else "maildir")
    if backend == "smtp":
        if not m.url:
            raise ConfigurationError("MAIL_BACKEND=smtp needs MAIL_URL (smtp://host:port)")
        return SmtpMailTransport(m.url, sender=m.sender, timeout_seconds=m.timeout_seconds)
    if backend == "maildir":
        return MaildirMailTransport(maildir_path(settings), sender=m.sender)
    return LoggedMailTransport(sender=m.sender)


def mail_destination(settings: Settings) -> str:
    """One line for the start: where this worker's mail goes."""
    m = settings.mail
    backend = m.backend or ("smtp" if m.url else "maildir")
    if backend == "smtp":
        return f"mail: sent through {_without_password(m.url or '')}"
    if backend == "maildir":
        return f"mail: written to the maildir {maildir_path(settings).resolve()} (one file each)"
    return "mail: written to the log (MAIL_BACKEND=log)"


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


def maildir_path(settings: Settings) -> Path:
    return settings.mail.maildir or settings.app.data_dir / "mail"


def register_mail(bus: CommandBus, deps: MailDeps) -> None:
    """Mail's command handler on the bus (tests register it with their own transport)."""
    bus.register(c.SendDueMail, mail.send_due_mail, deps)


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
