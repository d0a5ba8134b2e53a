"""Values of notifications: where a delivery stands, how one attempt went, and how often a
failing one is tried again."""

from dataclasses import dataclass
from datetime import timedelta
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
