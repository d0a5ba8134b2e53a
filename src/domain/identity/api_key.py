"""API keys: credentials for machines (a warehouse, a partner), limited to a few scopes.

A key is shown once when created; only a hash of its secret is kept. Keys never reach routes
meant for people, and access tokens never reach routes meant for machines."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from domain.identity.roles import Permission
from domain.shared.errors import DomainError

# What an integration may be allowed to do; everything else needs a person.
MACHINE_SCOPES = frozenset(
    {
        Permission.ORDERS_READ_ANY,
        Permission.ORDERS_FULFIL,
        Permission.INVENTORY_READ,
        Permission.INVENTORY_WRITE,
    }
)


class InvalidScopes(DomainError):
    """A key needs at least one scope, each one of those machines may hold."""


class ApiKeyNotFound(DomainError):
    """No such API key."""


def check_scopes(scopes: Iterable[str]) -> frozenset[Permission]:
    wanted = set(scopes)
    allowed = {p.value for p in MACHINE_SCOPES}
    if not wanted or not wanted <= allowed:
        raise InvalidScopes(f"scopes must be a non-empty subset of {', '.join(sorted(allowed))}")
    return frozenset(Permission(s) for s in wanted)


@dataclass(frozen=True, kw_only=True)
class ApiKey:
    """A machine's credential: its scopes, a hash of its secret, its last use and revocation."""

    id: UUID
    name: str
    prefix: str  # shown in lists and logs to tell keys apart; not secret
    secret_hash: str
    scopes: frozenset[Permission]
    created_by: UUID
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def revoke(self, now: datetime) -> "ApiKey":
        return self if self.revoked_at else replace(self, revoked_at=now)
