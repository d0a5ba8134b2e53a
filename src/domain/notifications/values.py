"""Values of notifications: where a delivery stands, how one attempt went, and how often a
failing one is tried again; and what webhook deliveries and mails share, their attempts."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

MIN_SECRET_LENGTH = 16


class DeliveryStatus(StrEnum):
    """Where a delivery stands: pending until accepted, failed once out of attempts."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # out of attempts; an admin may deliver it again


@dataclass(frozen=True)
class Attempt:
    """One try: the receiver's status code (None if it never answered), and why, unless accepted."""

    status_code: int | None
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How many tries a delivery gets, and how long it waits between them (doubling, capped)."""

    max_attempts: int = 8
    backoff_seconds: float = 5.0
    backoff_cap_seconds: float = 3600.0

    def wait_after(self, attempts: int, *, jitter: float) -> timedelta:
        """The pause after the `attempts`-th failure; `jitter` (0.5 to 1) spreads retries."""
        delay = min(self.backoff_cap_seconds, self.backoff_seconds * 2.0 ** (attempts - 1))
        return timedelta(seconds=delay * jitter)


@dataclass(kw_only=True)
class Outbound:
    """Something sent out (a webhook delivery, a mail) and how its attempts went: pending until
    accepted, tried again with backoff, failed after the last attempt."""

    status: DeliveryStatus
    attempts: int
    last_error: str | None
    response_status: int | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None

    def record(
        self, attempt: Attempt, *, now: datetime, policy: RetryPolicy, jitter: float
    ) -> None:
        """Delivered; or another try later; or failed after the last attempt."""
        self.attempts += 1
        self.response_status = attempt.status_code
        self.last_error = attempt.error
        if attempt.error is None:
            self.status, self.delivered_at = DeliveryStatus.DELIVERED, now
            self.next_attempt_at = None
        elif self.attempts >= policy.max_attempts:
            self.status, self.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            self.next_attempt_at = now + policy.wait_after(self.attempts, jitter=jitter)
