"""Mail to customers: one message per (event, template), or per account request, kept with the
record of its attempts. The message's words are the template's; the mail carries only what
fills it in."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.notifications.values import Attempt, DeliveryStatus, Outbound, RetryPolicy


@dataclass(kw_only=True)
class Mail(Outbound):
    """One message to one recipient. `event_id` is the log event it tells of (None for account
    mail, which answers a request); `message_id` stays the same on every attempt, so a receiver
    that got it twice can tell."""

    id: UUID
    event_id: UUID | None
    template: str
    recipient: str
    context: dict[str, Any]
    message_id: str
    created_at: datetime

    def record(
        self, attempt: Attempt, *, now: datetime, policy: RetryPolicy, jitter: float
    ) -> None:
        """As any outbound message; and account mail forgets its link once it is sent or has
        failed: the outbox never keeps a working token longer than it must."""
        super().record(attempt, now=now, policy=policy, jitter=jitter)
        if self.event_id is None and self.status is not DeliveryStatus.PENDING:
            self.context = {}

    @classmethod
    def queue(
        cls,
        *,
        id: UUID,
        event_id: UUID | None,
        template: str,
        recipient: str,
        context: dict[str, Any],
        domain: str,
        now: datetime,
    ) -> "Mail":
        """A new message, due at once; its Message-ID is made of its id and the sender's domain."""
        return cls(
            id=id,
            event_id=event_id,
            template=template,
            recipient=recipient,
            context=context,
            message_id=f"<{id.hex}@{domain}>",
            created_at=now,
            status=DeliveryStatus.PENDING,
            attempts=0,
            last_error=None,
            response_status=None,
            next_attempt_at=now,
            delivered_at=None,
        )
