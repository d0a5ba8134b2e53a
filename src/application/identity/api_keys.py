"""Issuing, revoking and checking API keys.

A key reads `agora_<prefix>_<secret>`: the prefix finds the row, the secret (256 random bits)
is compared by its SHA-256 hash. A fast hash is right here, unlike for passwords: the secret is
random and long, so there is nothing to guess."""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from application.shared.bus import Command
from application.shared.clock import Clock
from application.shared.errors import NotAuthenticated, PermissionDenied
from domain.identity.api_key import ApiKey, ApiKeyNotFound, check_scopes
from domain.identity.roles import Permission

# Recording every use would write on every request; once a minute says enough.
TOUCH_EVERY = timedelta(minutes=1)


class ApiKeys(Protocol):
    """Where API keys are kept, found by id or by the prefix a presented key carries."""

    async def add(self, key: ApiKey) -> None: ...

    async def get(self, key_id: UUID) -> ApiKey | None: ...

    async def by_prefix(self, prefix: str) -> ApiKey | None: ...

    async def save(self, key: ApiKey) -> None: ...

    async def list(self) -> list[ApiKey]: ...

    async def touch(self, key_id: UUID, *, now: datetime, unless_since: datetime) -> None:
        """Record a use, unless one was recorded after `unless_since`."""
        ...


@dataclass(frozen=True, kw_only=True)
class ApiKeyDeps:
    """What the API key handlers are given by the composition root."""

    keys: ApiKeys
    clock: Clock


@dataclass(frozen=True, kw_only=True)
class IssuedApiKey:
    """The key's record, and the key itself: shown this once, never stored."""

    key: ApiKey
    plain: str


@dataclass(frozen=True, kw_only=True)
class CreateApiKey(Command[IssuedApiKey]):
    """Issue a key limited to machine scopes; the result holds the key, shown this once."""

    name: str
    scopes: frozenset[str]
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class RevokeApiKey(Command[ApiKey]):
    """Stop a key from working; revoking it again changes nothing."""

    key_id: UUID
    actor_id: UUID


@dataclass(frozen=True, kw_only=True)
class Machine:
    """The caller of a machine route: which key, and what it may do."""

    key_id: UUID
    name: str
    scopes: frozenset[Permission]

    def require(self, scope: Permission) -> None:
        if scope not in self.scopes:
            raise PermissionDenied(f"this API key lacks the {scope} scope")


async def create_api_key(cmd: CreateApiKey, *, deps: ApiKeyDeps) -> IssuedApiKey:
    scopes = check_scopes(cmd.scopes)
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    key = ApiKey(
        id=uuid.uuid4(),
        name=cmd.name,
        prefix=prefix,
        secret_hash=_hash(secret),
        scopes=scopes,
        created_by=cmd.actor_id,
        created_at=deps.clock.now(),
    )
    await deps.keys.add(key)
    return IssuedApiKey(key=key, plain=f"agora_{prefix}_{secret}")


async def revoke_api_key(cmd: RevokeApiKey, *, deps: ApiKeyDeps) -> ApiKey:
    key = await deps.keys.get(cmd.key_id)
    if key is None:
        raise ApiKeyNotFound(f"API key {cmd.key_id} not found")
    revoked = key.revoke(deps.clock.now())
    await deps.keys.save(revoked)
    return revoked


async def authenticate_machine(plain: str, *, keys: ApiKeys, now: datetime) -> Machine:
    """The key's holder, if the key is well-formed, known, not revoked, and its secret matches."""
    scheme, _, rest = plain.partition("_")
    prefix, _, secret = rest.partition("_")
    key = await keys.by_prefix(prefix) if scheme == "agora" and prefix and secret else None
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        raise NotAuthenticated("the API key is not valid")
    if key.revoked_at is not None:
        raise NotAuthenticated("the API key was revoked")
    await keys.touch(key.id, now=now, unless_since=now - TOUCH_EVERY)
    return Machine(key_id=key.id, name=key.name, scopes=key.scopes)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
