"""The collaborators identity handlers are given by the composition root."""

from dataclasses import dataclass
from datetime import timedelta

from application.identity.ports import (
    AccessTokens,
    LoginThrottle,
    PasswordHasher,
    UnitOfWorkFactory,
)
from application.identity.views import UserDetails
from application.shared.clock import Clock
from domain.identity.user import User


@dataclass(frozen=True, kw_only=True)
class IdentityDeps:
    """Ports and policies shared by the identity handlers."""

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    tokens: AccessTokens
    throttle: LoginThrottle
    clock: Clock
    session_lifetime: timedelta


def details_of(user: User) -> UserDetails:
    """Answer from the write side, so a caller always reads its own write."""
    return UserDetails(
        id=user.id,
        email=user.email.value,
        full_name=user.full_name,
        roles=tuple(sorted(user.roles)),
        is_active=user.is_active,
        created_at=user.created_at,
        updated_at=user.updated_at,
        version=user.version,
    )
