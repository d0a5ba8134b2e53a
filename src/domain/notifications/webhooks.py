"""Outbound webhooks: an admin subscribes a URL to some event types; each matching event of
the log becomes a delivery, signed with the subscription's secret and retried until it is
accepted or runs out of attempts."""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.shared.errors import DomainError

MIN_SECRET_LENGTH = 16


class InvalidSubscription(DomainError):
    """A subscription names known event types and a secret long enough to sign with."""


class UnsafeWebhookUrl(DomainError):
    """The URL is not https, or its host resolves to an address inside the network (SSRF)."""


class WebhookNotFound(DomainError):
    """No such webhook subscription or delivery."""


class DeliveryStatus(StrEnum):
    """Where a delivery stands: pending until accepted, failed once out of attempts."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # out of attempts; an admin may deliver it again


@dataclass(frozen=True, kw_only=True)
class WebhookSubscription:
    """A URL subscribed to event types; its secret signs every delivery."""

    id: UUID
    url: str
    event_types: frozenset[str]
    secret: str
    created_by: UUID
    created_at: datetime
    active: bool = True

    def __post_init__(self) -> None:
        if not self.event_types:
            raise InvalidSubscription("subscribe to at least one event type")
        if len(self.secret) < MIN_SECRET_LENGTH:
            raise InvalidSubscription(f"the secret needs {MIN_SECRET_LENGTH} characters or more")

    def deactivate(self) -> "WebhookSubscription":
        return replace(self, active=False)
