"""Failures that are not business rules but that a caller must still be told about precisely."""


class ApplicationError(Exception):
    """Base of the errors the api layer maps to problem+json."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotAuthenticated(ApplicationError):
    """No credentials, or credentials that prove nothing (bad, expired, revoked)."""


class PermissionDenied(ApplicationError):
    """Authenticated, but the caller's roles do not grant what the action needs."""


class TooManyAttempts(ApplicationError):
    """A rate limit was hit; `retry_after` says in how many seconds to try again."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Unavailable(ApplicationError):
    """Something outside the request (a database, a provider, a feed) is away: an outage, not a
    bug. The caller may try again in `retry_after` seconds."""

    def __init__(self, detail: str, *, retry_after: int = 5) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class DatabaseUnavailable(Unavailable):
    """PostgreSQL cannot be reached, or dropped the connection mid-request. `reason` is a
    stable word (`unreachable`, `timeout`, `refused`, `disconnected`)."""

    def __init__(self, detail: str, *, reason: str, retry_after: int = 5) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.reason = reason


class ConcurrencyConflict(ApplicationError):
    """Someone else changed the same aggregate between our read and our write."""


class PreconditionFailed(ApplicationError):
    """The caller's If-Match names a version that is no longer current."""


class InvalidCursor(ApplicationError):
    """A pagination cursor that this service did not produce, or that was tampered with."""


class PreconditionRequired(ApplicationError):
    """An update of a versioned resource came without If-Match: lost updates are refused."""


class InvalidSignature(ApplicationError):
    """A signed request whose signature is missing, wrong, or too old to be trusted."""
