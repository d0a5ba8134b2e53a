"""Read models of identity: what queries and commands return, and what routes authorise with."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from application.shared.errors import PermissionDenied
from application.shared.views import view_of
from domain.identity import events as ev
from domain.identity.address_book import AddressBook, SavedAddress
from domain.identity.api_key import ApiKey
from domain.identity.user import User
from domain.identity.values import Permission, Role, permissions_of
from domain.shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class Principal:
    """The authenticated caller of one request: an account's holder, or a guest (whose
    `user_id` is the guest's id, and who has no email until it gives one at checkout)."""

    user_id: UUID
    session_id: UUID
    roles: frozenset[Role]
    email: str | None = None
    email_verified: bool = False
    is_guest: bool = False

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
    email_verified_at: datetime | None = None

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def permissions(self) -> tuple[Permission, ...]:
        return tuple(sorted(permissions_of(self.roles)))

    @classmethod
    def of(cls, user: User) -> "UserDetails":
        """Answer from the write side, so a caller always reads its own write."""
        return view_of(cls, user, email=user.email.value, roles=tuple(sorted(user.roles)))


@dataclass(frozen=True, kw_only=True)
class TokenPair:
    """What a successful login or refresh hands back."""

    access_token: str
    expires_in: int
    refresh_token: str
    user_id: UUID


@dataclass(frozen=True, kw_only=True)
class GuestToken:
    """What starting a guest session hands back: an access token and no refresh token."""

    access_token: str
    expires_in: int
    guest_id: UUID


@dataclass(frozen=True, kw_only=True)
class VerificationSent:
    """A verification link is on its way to `email`; it works until `expires_at`."""

    email: str
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class AddressView:
    """A saved address, what it is the default for, and its version for If-Match."""

    id: UUID
    label: str
    name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    region: str | None
    country: str
    phone: str | None
    default_for: tuple[str, ...]
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, book: AddressBook, entry: SavedAddress) -> "AddressView":
        """Answer from the write side, so a caller always reads its own write."""
        return view_of(
            cls,
            entry.address,
            id=entry.id,
            label=entry.label,
            version=entry.version,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
            default_for=tuple(book.defaults_of(entry.id)),
        )


@dataclass(frozen=True, kw_only=True)
class AddressBookView:
    """Every saved address of the caller, oldest first."""

    items: tuple[AddressView, ...]


@dataclass(frozen=True, kw_only=True)
class AccountEvent:
    """One line of an account's history (the account-history projection)."""

    position: int
    event_type: str
    occurred_at: datetime
    actor_id: UUID | None
    summary: str


def describe(event: DomainEvent) -> tuple[Any, str]:
    """Who acted, and a line a human reads (the account-history projection's summary)."""
    match event:
        case ev.UserRegistered(roles=roles):
            return None, f"registered as {', '.join(roles)}"
        case ev.UserProfileUpdated(full_name=name):
            return event.user_id, f"profile updated (name: {name})"
        case ev.EmailVerified(email=email):
            return event.user_id, f"email {email} verified"
        case ev.PasswordChanged():
            return event.user_id, "password changed"
        case ev.RoleGranted(role=role, granted_by=by):
            return by, f"role {role} granted"
        case ev.RoleRevoked(role=role, revoked_by=by):
            return by, f"role {role} revoked"
        case ev.UserDeactivated(deactivated_by=by):
            return by, "deactivated"
        case ev.UserReactivated(reactivated_by=by):
            return by, "reactivated"
        case ev.AddressAdded(label=label) | ev.AddressChanged(label=label):
            return event.user_id, f"address {label!r} saved"
        case ev.AddressRemoved():
            return event.user_id, "address removed"
        case ev.DefaultAddressChosen(kind=kind):
            return event.user_id, f"default {kind} address chosen"
    return None, type(event).__name__


@dataclass(frozen=True, kw_only=True)
class ApiKeyView:
    """An API key's record; the key itself is never part of it."""

    id: UUID
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_by: UUID
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> "ApiKeyView":
        return view_of(cls, key, scopes=tuple(sorted(key.scopes)))


@dataclass(frozen=True, kw_only=True)
class ApiKeyCredential:
    """What checking a presented key needs: its record and the stored hash of its secret."""

    key: ApiKeyView
    secret_hash: str


@dataclass(frozen=True, kw_only=True)
class IssuedApiKey:
    """The key's record, and the key itself: shown this once, never stored."""

    key: ApiKeyView
    plain: str


@dataclass(frozen=True, kw_only=True)
class Machine:
    """The caller of a machine route: which key, and what it may do."""

    key_id: UUID
    name: str
    scopes: frozenset[Permission]

    def require(self, scope: Permission) -> None:
        if scope not in self.scopes:
            raise PermissionDenied(f"this API key lacks the {scope} scope")
