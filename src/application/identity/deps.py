"""What the identity handlers are given by the composition root."""

from collections.abc import Container
from dataclasses import dataclass
from datetime import timedelta

from application.identity.ports import (
    AccessTokens,
    AccountMail,
    IdentityUnitOfWorkFactory,
    LoginThrottle,
    PasswordHasher,
)
from application.shared.clock import Clock


@dataclass(frozen=True, kw_only=True)
class IdentityDeps:
    """Ports and policies shared by the identity handlers."""

    uow: IdentityUnitOfWorkFactory
    hasher: PasswordHasher
    tokens: AccessTokens
    throttle: LoginThrottle
    clock: Clock
    session_lifetime: timedelta
    common_passwords: Container[str]
    """Passwords too common to accept, lower-case (`in` is the whole interface)."""
    mail: AccountMail
    guest_lifetime: timedelta
    verification_lifetime: timedelta
    verification_link: str
    """The page a verification link opens; the token is appended as `?token=`."""
    reset_lifetime: timedelta = timedelta(hours=1)
    """How long a password reset link works."""
    reset_link: str = "http://localhost:8000/reset-password"
    """The page a password reset link opens; the token is appended as `?token=`."""
