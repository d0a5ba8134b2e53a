"""Rules of identity and access, named as the shop says them."""

from domain.shared.errors import DomainError


class InvalidEmail(DomainError):
    """The text given is not a usable email address."""


class WeakPassword(DomainError):
    """The password does not meet the password policy."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class EmailAlreadyRegistered(DomainError):
    """Another account already uses this email (compared case-insensitively)."""


class UserNotFound(DomainError):
    """No such user, or not one the caller may see."""


class AccountDeactivated(DomainError):
    """The account is deactivated and cannot act."""


class CannotChangeOwnAccess(DomainError):
    """An admin may not deactivate themselves or drop their own admin role (no lock-out)."""


class WrongPassword(DomainError):
    """The caller is logged in, but the password they re-entered to confirm is wrong."""


class InvalidScopes(DomainError):
    """A key needs at least one scope, each one of those machines may hold."""


class ApiKeyNotFound(DomainError):
    """No such API key."""
