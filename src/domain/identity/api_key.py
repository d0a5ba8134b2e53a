"""API keys: credentials for machines (a warehouse, a partner), limited to a few scopes. A key is
shown once, when it is issued; only a hash of its secret is kept. Keys never reach routes meant
for people, and access tokens never reach routes meant for machines."""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from domain.identity.errors import InvalidScopes
from domain.identity.events import ApiKeyIssued, ApiKeyRevoked
from domain.identity.values import Permission
from domain.shared.aggregate import AggregateRoot

# What an integration may be allowed to do; everything else needs a person.
MACHINE_SCOPES = frozenset(
    {
        Permission.ORDERS_READ_ANY,
        Permission.ORDERS_FULFIL,
        Permission.INVENTORY_READ,
        Permission.INVENTORY_WRITE,
    }
)


class ApiKey(AggregateRoot):
    """A machine's credential: its scopes, a hash of its secret, its last use and revocation."""

    stream_type = "api-key"

    def __init__(
        self,
        *,
        id: UUID,
        name: str,
        prefix: str,
        secret_hash: str,
        scopes: frozenset[Permission],
        created_by: UUID,
        created_at: datetime,
        revoked_at: datetime | None = None,
        last_used_at: datetime | None = None,
    ) -> None:
        super().__init__()
        self.id, self.name, self.scopes = id, name, scopes
        self.prefix = prefix  # shown in lists and logs to tell keys apart; not secret
        self.secret_hash = secret_hash
        self.created_by, self.created_at = created_by, created_at
        self.revoked_at, self.last_used_at = revoked_at, last_used_at

    @classmethod
    def issue(
        cls,
        *,
        id: UUID,
        name: str,
        prefix: str,
        secret_hash: str,
        scopes: Iterable[str],
        created_by: UUID,
        now: datetime,
    ) -> "ApiKey":
        """A new key, limited to scopes that machines may hold."""
        key = cls(
            id=id,
            name=name,
            prefix=prefix,
            secret_hash=secret_hash,
            scopes=check_scopes(scopes),
            created_by=created_by,
            created_at=now,
        )
        key._record(
            ApiKeyIssued(
                occurred_at=now,
                key_id=id,
                name=name,
                prefix=prefix,
                scopes=tuple(sorted(key.scopes)),
                issued_by=created_by,
            )
        )
        return key

    def revoke(self, *, by: UUID, now: datetime) -> None:
        """The key stops working; revoking it again changes nothing."""
        if self.revoked_at is None:
            self.revoked_at = now
            self._record(ApiKeyRevoked(occurred_at=now, key_id=self.id, revoked_by=by))

    @property
    def stream_id(self) -> str:
        return f"api-key-{self.id}"


def check_scopes(scopes: Iterable[str]) -> frozenset[Permission]:
    wanted = set(scopes)
    allowed = {p.value for p in MACHINE_SCOPES}
    if not wanted or not wanted <= allowed:
        raise InvalidScopes(f"scopes must be a non-empty subset of {', '.join(sorted(allowed))}")
    return frozenset(Permission(s) for s in wanted)
