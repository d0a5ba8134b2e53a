"""Identity commands: imperative names, plain data, and the result type each handler returns."""

from dataclasses import dataclass
from uuid import UUID

from application.identity.views import ApiKeyView, IssuedApiKey, Principal, TokenPair, UserDetails
from application.shared.bus import Command
from domain.identity.values import Role


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
