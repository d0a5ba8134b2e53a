"""Outbound webhooks: each event of the log that a subscription wants becomes a delivery, signed
with the subscription's secret and tried until it is accepted or runs out of attempts."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.notifications.errors import InvalidSubscription
from domain.notifications.events import WebhookDeactivated, WebhookSubscribed
from domain.notifications.values import MIN_SECRET_LENGTH, DeliveryStatus, Outbound
from domain.shared.aggregate import AggregateRoot


class WebhookSubscription(AggregateRoot):
    """A URL subscribed to event types; its secret signs every delivery."""

    stream_type = "webhook"

    def __init__(
        self,
        *,
        id: UUID,
        url: str,
        event_types: frozenset[str],
        secret: str,
        created_by: UUID,
        created_at: datetime,
        active: bool = True,
    ) -> None:
        super().__init__()
        if not event_types:
            raise InvalidSubscription("subscribe to at least one event type")
        if len(secret) < MIN_SECRET_LENGTH:
            raise InvalidSubscription(f"the secret needs {MIN_SECRET_LENGTH} characters or more")
        self.id, self.url, self.event_types, self.secret = id, url, event_types, secret
        self.created_by, self.created_at, self.active = created_by, created_at, active

    @classmethod
    def subscribe(
        cls,
        *,
        id: UUID,
        url: str,
        event_types: Iterable[str],
        secret: str,
        known_types: frozenset[str],
        by: UUID,
        now: datetime,
    ) -> "WebhookSubscription":
        """A new subscription to event types the log knows; the handler checks the URL first."""
        wanted = frozenset(event_types)
        unknown = sorted(wanted - known_types)
        if unknown:
            raise InvalidSubscription(f"unknown event types: {', '.join(unknown)}")
        subscription = cls(
            id=id, url=url, event_types=wanted, secret=secret, created_by=by, created_at=now
        )
        subscription._record(
            WebhookSubscribed(
                occurred_at=now,
                subscription_id=id,
                event_types=tuple(sorted(wanted)),
                subscribed_by=by,
            )
        )
        return subscription

    def deactivate(self, *, by: UUID, now: datetime) -> None:
        """No new events are delivered to it; stopping it again changes nothing."""
        if self.active:
            self.active = False
            self._record(
                WebhookDeactivated(occurred_at=now, subscription_id=self.id, deactivated_by=by)
            )

    @property
    def stream_id(self) -> str:
        return f"webhook-{self.id}"


@dataclass(kw_only=True)
class Delivery(Outbound):
    """One event sent, or to be sent, to one subscription, and how its attempts went. Created
    by the log's webhook subscriber; `body` is what the receiver gets."""

    id: UUID
    subscription_id: UUID
    event_id: UUID
    event_type: str
    body: dict[str, Any]
    created_at: datetime

    def redeliver(self, *, now: datetime) -> None:
        """Send it again from now on, with a fresh set of attempts. A pending delivery is left
        as it is: it is queued already (or being sent)."""
        if self.status is not DeliveryStatus.PENDING:
            self.status, self.attempts, self.next_attempt_at = DeliveryStatus.PENDING, 0, now
