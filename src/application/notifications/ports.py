"""What notifications need: subscriptions and deliveries in one transaction, a guard against
webhook URLs into the shop's own network, a way to send, and the read side."""

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from application.notifications.views import DeliveryView, Leased, RenderedMail, WebhookView
from application.shared.unit_of_work import UnitOfWork
from domain.notifications.mail import Mail
from domain.notifications.values import Attempt, DeliveryStatus
from domain.notifications.webhook import Delivery, WebhookSubscription


class UrlGuard(Protocol):
    """Keeps webhooks from calling into the shop's own network (SSRF): `check` raises
    UnsafeWebhookUrl unless the URL may be called (scheme, resolved addresses)."""

    async def check(self, url: str) -> None: ...


class WebhookTransport(Protocol):
    """Sends one delivery, signed with its subscription's secret, to the address the URL guard
    checked just before; never follows redirects, never reads the answer's body."""

    async def send(self, leased: Leased) -> Attempt: ...


class SubscriptionRepository(Protocol):
    """Webhook subscriptions."""

    async def add(self, subscription: WebhookSubscription) -> None: ...

    async def get(self, subscription_id: UUID) -> WebhookSubscription | None: ...

    async def save(self, subscription: WebhookSubscription) -> None: ...


class DeliveryRepository(Protocol):
    """Deliveries, leased to one sender at a time and recorded fenced on their attempts."""

    async def get(self, subscription_id: UUID, delivery_id: UUID) -> Delivery | None: ...

    async def lease(self, *, now: datetime, until: datetime, limit: int) -> list[Leased]:
        """Due deliveries of active subscriptions, none another sender holds, kept for this
        one until `until`."""

    async def save(self, delivery: Delivery, *, seen: tuple[int, DeliveryStatus]) -> None:
        """Store it unless it changed since it was read with these attempts and status (a late
        outcome never overwrites a newer one, nor a redelivery a sender's record)."""


class MailRepository(Protocol):
    """Mail waiting to be sent and sent, leased and recorded as deliveries are."""

    async def add(self, mail: Mail) -> None:
        """Queue it; a second mail of the same event and template is dropped."""

    async def lease(self, *, now: datetime, until: datetime, limit: int) -> list[Mail]:
        """Due mail none another sender holds, kept for this one until `until`."""

    async def save(self, mail: Mail, *, seen: tuple[int, DeliveryStatus]) -> None:
        """Store the outcome unless the mail changed since it was read with these attempts and
        status."""


class MailRenderer(Protocol):
    """Fills a template in: its subject, text body and HTML body (escaped)."""

    def render(self, template: str, context: dict[str, Any]) -> RenderedMail: ...


class MailTransport(Protocol):
    """Hands one rendered message to where mail goes (an SMTP server, a maildir, the log); the
    attempt names the server's answer, or why it failed."""

    async def send(self, mail: Mail, rendered: RenderedMail) -> Attempt: ...


class AccountEmails(Protocol):
    """The email of a customer's account (identity serves it), for order mail of a checkout
    that gave none."""

    async def email_of(self, customer_id: UUID) -> str | None: ...


class NotificationsUnitOfWork(UnitOfWork, Protocol):
    """One transaction over subscriptions, deliveries and mail."""

    @property
    def subscriptions(self) -> SubscriptionRepository: ...

    @property
    def deliveries(self) -> DeliveryRepository: ...

    @property
    def mail(self) -> MailRepository: ...


class NotificationsUnitOfWorkFactory(Protocol):
    """Opens a fresh unit of work for each command."""

    def __call__(self) -> NotificationsUnitOfWork: ...


class WebhookDirectory(Protocol):
    """Read side of webhooks: every subscription, oldest first (stopped ones included), and a
    subscription's deliveries, newest first."""

    async def subscriptions(self) -> list[WebhookView]: ...

    async def exists(self, subscription_id: UUID) -> bool: ...

    async def deliveries(self, subscription_id: UUID, *, limit: int) -> list[DeliveryView]: ...
