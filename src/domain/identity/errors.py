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


class RoleNotGrantable(DomainError):
    """The guest role belongs to guest sessions; no account is given it."""


class InvalidPostalAddress(DomainError):
    """An address is missing a part, or a part has the wrong shape."""


class AddressNotFound(DomainError):
    """No such address in the caller's address book (another customer's is not found either)."""


class AddressBookFull(DomainError):
    """The address book holds as many addresses as it may."""


class EmailAlreadyVerified(DomainError):
    """The account's current email is verified already; there is nothing to prove."""


class VerificationTokenInvalid(DomainError):
    """The verification token is unknown, or was issued for an email the account no longer has."""


class VerificationTokenUsed(VerificationTokenInvalid):
    """The verification token was used before; each works once."""


class VerificationTokenExpired(VerificationTokenInvalid):
    """The verification token is past its lifetime; ask for a new one."""


class PasswordResetTokenInvalid(DomainError):
    """The password reset token is unknown, or was issued for an email the account no longer
    has."""


class PasswordResetTokenUsed(PasswordResetTokenInvalid):
    """The password reset token was used before; each works once."""


class PasswordResetTokenExpired(PasswordResetTokenInvalid):
    """The password reset token is past its lifetime; ask for a new one."""
