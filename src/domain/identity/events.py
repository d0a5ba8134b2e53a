"""What happens to accounts and API keys, as facts other contexts can react to."""

from dataclasses import dataclass
from uuid import UUID

from domain.shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class UserRegistered(DomainEvent):
    """A new account exists."""

    user_id: UUID
    email: str
    roles: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class UserProfileUpdated(DomainEvent):
    """The account holder changed their profile."""

    user_id: UUID
    full_name: str


@dataclass(frozen=True, kw_only=True)
class EmailVerified(DomainEvent):
    """The account holder proved the address is theirs (guest orders to it can be claimed)."""

    user_id: UUID
    email: str


@dataclass(frozen=True, kw_only=True)
class PasswordChanged(DomainEvent):
    """The password was replaced (the hash itself never leaves the aggregate)."""

    user_id: UUID


@dataclass(frozen=True, kw_only=True)
class RoleGranted(DomainEvent):
    """An admin gave the account a role."""

    user_id: UUID
    role: str
    granted_by: UUID


@dataclass(frozen=True, kw_only=True)
class RoleRevoked(DomainEvent):
    """An admin took a role away from the account."""

    user_id: UUID
    role: str
    revoked_by: UUID


@dataclass(frozen=True, kw_only=True)
class UserDeactivated(DomainEvent):
    """The account can no longer log in or use its tokens."""

    user_id: UUID
    deactivated_by: UUID


@dataclass(frozen=True, kw_only=True)
class UserReactivated(DomainEvent):
    """A deactivated account may log in again."""

    user_id: UUID
    reactivated_by: UUID


@dataclass(frozen=True, kw_only=True)
class ApiKeyIssued(DomainEvent):
    """An admin issued a key for a machine; the secret itself is never recorded."""

    key_id: UUID
    name: str
    prefix: str
    scopes: tuple[str, ...]
    issued_by: UUID


@dataclass(frozen=True, kw_only=True)
class ApiKeyRevoked(DomainEvent):
    """The key stopped working."""

    key_id: UUID
    revoked_by: UUID


# The address book's events name the address and its country, never its lines, name or phone:
# the log is append-only and published, the addresses table is where personal data is kept
# and erased (ADR 0035).
@dataclass(frozen=True, kw_only=True)
class AddressAdded(DomainEvent):
    """The customer saved an address."""

    user_id: UUID
    address_id: UUID
    label: str
    country: str


@dataclass(frozen=True, kw_only=True)
class AddressChanged(DomainEvent):
    """The customer corrected a saved address."""

    user_id: UUID
    address_id: UUID
    label: str
    country: str


@dataclass(frozen=True, kw_only=True)
class AddressRemoved(DomainEvent):
    """The customer deleted a saved address."""

    user_id: UUID
    address_id: UUID


@dataclass(frozen=True, kw_only=True)
class DefaultAddressChosen(DomainEvent):
    """An address became the default for shipping or for billing (`address_id` None: none is)."""

    user_id: UUID
    kind: str
    address_id: UUID | None


EVENTS: tuple[type[DomainEvent], ...] = (
    UserRegistered,
    UserProfileUpdated,
    EmailVerified,
    PasswordChanged,
    RoleGranted,
    RoleRevoked,
    UserDeactivated,
    UserReactivated,
    ApiKeyIssued,
    ApiKeyRevoked,
    AddressAdded,
    AddressChanged,
    AddressRemoved,
    DefaultAddressChosen,
)
