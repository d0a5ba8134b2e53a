"""What happens to webhook subscriptions. Neither their secrets nor their URLs appear here: a
receiver's URL is often a credential itself, and the log is published."""

from dataclasses import dataclass
from uuid import UUID

from domain.shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class WebhookSubscribed(DomainEvent):
    """An admin subscribed a URL to some event types."""

    subscription_id: UUID
    event_types: tuple[str, ...]
    subscribed_by: UUID


@dataclass(frozen=True, kw_only=True)
class WebhookDeactivated(DomainEvent):
    """The subscription receives no new events; its deliveries' history stays."""

    subscription_id: UUID
    deactivated_by: UUID


EVENTS: tuple[type[DomainEvent], ...] = (WebhookSubscribed, WebhookDeactivated)
