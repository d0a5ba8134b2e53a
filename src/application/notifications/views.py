"""What notifications queries and commands return; a subscription's secret is never in them."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.shared.views import view_of
from domain.notifications.values import DeliveryStatus
from domain.notifications.webhook import Delivery, WebhookSubscription


@dataclass(frozen=True, kw_only=True)
class WebhookView:
    """A subscription as admins see it."""

    id: UUID
    url: str
    event_types: tuple[str, ...]
    active: bool
    created_by: UUID
    created_at: datetime

    @classmethod
    def of(cls, subscription: WebhookSubscription) -> "WebhookView":
        return view_of(cls, subscription, event_types=tuple(sorted(subscription.event_types)))


@dataclass(frozen=True, kw_only=True)
class DeliveryView:
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

    @classmethod
    def of(cls, delivery: Delivery) -> "DeliveryView":
        return view_of(cls, delivery)


@dataclass(frozen=True, kw_only=True)
class Leased:
    """A delivery held by one sender until its lease ends, with where and how to send it."""

    delivery: Delivery
    url: str
    secret: str


@dataclass(frozen=True, kw_only=True)
class RenderedMail:
    """A message's words, filled in: a subject, a text body and an HTML body."""

    subject: str
    text: str
    html: str
