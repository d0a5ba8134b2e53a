"""Read models of identity: what queries return and what routes authorise with."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.shared.errors import PermissionDenied
from domain.identity.roles import Permission, Role, permissions_of


@dataclass(frozen=True, kw_only=True)
class Principal:
    """The authenticated caller of one request."""

    user_id: UUID
    session_id: UUID
    roles: frozenset[Role]

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.roles)

    def require(self, permission: Permission) -> None:
        if permission not in self.permissions:
            raise PermissionDenied(f"this action needs the {permission} permission")


@dataclass(frozen=True, kw_only=True)
class UserSummary:
    """A line of the user list."""

    id: UUID
    email: str
    full_name: str
    roles: tuple[Role, ...]
    is_active: bool
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class UserDetails(UserSummary):
    """One account, with what it may do and the version for If-Match."""

    updated_at: datetime
    version: int

    @property
    def permissions(self) -> tuple[Permission, ...]:
        return tuple(sorted(permissions_of(self.roles)))


@dataclass(frozen=True, kw_only=True)
class TokenPair:
    """What a successful login or refresh hands back."""

    access_token: str
    expires_in: int
    refresh_token: str
    user_id: UUID


@dataclass(frozen=True, kw_only=True)
class AccountEvent:
    """One line of an account's history (the account-history projection)."""

    position: int
    event_type: str
    occurred_at: datetime
    actor_id: UUID | None
    summary: str
