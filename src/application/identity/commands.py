"""Identity commands: imperative names, plain data, and the result type each handler returns."""

from dataclasses import dataclass
from uuid import UUID

from application.identity.views import (
    AddressView,
    ApiKeyView,
    GuestToken,
    IssuedApiKey,
    Principal,
    TokenPair,
    UserDetails,
    VerificationSent,
)
from application.shared.bus import Command
from domain.identity.values import AddressKind, PostalAddress, Role


@dataclass(frozen=True, kw_only=True)
class RegisterUser(Command[UserDetails]):
    email: str
    password: str
    full_name: str
    client_ip: str


@dataclass(frozen=True, kw_only=True)
class CreateAdmin(Command[UserDetails]):
    """Operator bootstrap (CLI): a new admin, or an existing account promoted to admin."""

    email: str
    password: str
    full_name: str


@dataclass(frozen=True, kw_only=True)
class LogIn(Command[TokenPair]):
    email: str
    password: str
    client_ip: str


@dataclass(frozen=True, kw_only=True)
class RefreshSession(Command[TokenPair]):
    refresh_token: str


@dataclass(frozen=True, kw_only=True)
class LogOut(Command[None]):
    actor: Principal


@dataclass(frozen=True, kw_only=True)
class UpdateProfile(Command[UserDetails]):
    actor: Principal
    full_name: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class ChangePassword(Command[None]):
    actor: Principal
    current_password: str
    new_password: str
    client_ip: str


@dataclass(frozen=True, kw_only=True)
class GrantRole(Command[UserDetails]):
    actor: Principal
    user_id: UUID
    role: Role


@dataclass(frozen=True, kw_only=True)
class RevokeRole(Command[UserDetails]):
    actor: Principal
    user_id: UUID
    role: Role


@dataclass(frozen=True, kw_only=True)
class DeactivateUser(Command[UserDetails]):
    actor: Principal
    user_id: UUID


@dataclass(frozen=True, kw_only=True)
class ReactivateUser(Command[UserDetails]):
    actor: Principal
    user_id: UUID


@dataclass(frozen=True, kw_only=True)
class ProvisionAccount(Command[UserDetails]):
    """Create the account with these roles if the email is unknown; leave an existing one be.
    Used to seed demo accounts idempotently."""

    email: str
    password: str
    full_name: str
    roles: frozenset[Role]


@dataclass(frozen=True, kw_only=True)
class CreateApiKey(Command[IssuedApiKey]):
    """Issue a key limited to machine scopes; the result holds the key, shown this once."""

    name: str
    scopes: frozenset[str]
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class RevokeApiKey(Command[ApiKeyView]):
    """Stop a key from working; revoking it again changes nothing."""

    key_id: UUID
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class StartGuestSession(Command[GuestToken]):
    """A shopper without an account gets a guest id and an access token for it."""

    client_ip: str


@dataclass(frozen=True, kw_only=True)
class RequestEmailVerification(Command[VerificationSent]):
    """Send the caller a link that proves they read mail at their current address."""

    actor: Principal


@dataclass(frozen=True, kw_only=True)
class VerifyEmail(Command[None]):
    """Spend a verification token: its account's email is verified."""

    token: str


@dataclass(frozen=True, kw_only=True)
class RequestPasswordReset(Command[None]):
    """Mail a password reset link to the account of this email, if there is one; the answer is
    the same either way."""

    email: str


@dataclass(frozen=True, kw_only=True)
class ResetPassword(Command[None]):
    """Spend a password reset token: the account gets the new password, every login ends."""

    token: str
    new_password: str


@dataclass(frozen=True, kw_only=True)
class AddAddress(Command[AddressView]):
    actor: Principal
    label: str
    address: PostalAddress


@dataclass(frozen=True, kw_only=True)
class ChangeAddress(Command[AddressView]):
    """Replace a saved address; `expected_version` is its ETag (required: no lost updates)."""

    actor: Principal
    address_id: UUID
    label: str
    address: PostalAddress
    expected_version: int | None


@dataclass(frozen=True, kw_only=True)
class RemoveAddress(Command[None]):
    actor: Principal
    address_id: UUID


@dataclass(frozen=True, kw_only=True)
class ChooseDefaultAddress(Command[AddressView]):
    actor: Principal
    address_id: UUID
    kind: AddressKind
