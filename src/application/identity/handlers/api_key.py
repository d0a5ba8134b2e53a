"""Handlers of API keys. A key reads `agora_<prefix>_<secret>`: the prefix finds the row, the
secret (256 random bits) is kept only as its digest."""

import secrets
import uuid

from application.identity import commands as c
from application.identity.deps import IdentityDeps
from application.identity.views import ApiKeyView, IssuedApiKey
from domain.identity.api_key import ApiKey
from domain.identity.errors import ApiKeyNotFound
from domain.identity.values import secret_digest


async def create_api_key(cmd: c.CreateApiKey, deps: IdentityDeps) -> IssuedApiKey:
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    key = ApiKey.issue(
        id=uuid.uuid4(),
        name=cmd.name,
        prefix=prefix,
        secret_hash=secret_digest(secret),
        scopes=cmd.scopes,
        created_by=cmd.actor_id,
        now=deps.clock.now(),
    )
    async with deps.uow() as uow:
        await uow.api_keys.add(key)
        await uow.commit()
    return IssuedApiKey(key=ApiKeyView.of(key), plain=f"agora_{prefix}_{secret}")


async def revoke_api_key(cmd: c.RevokeApiKey, deps: IdentityDeps) -> ApiKeyView:
    async with deps.uow() as uow:
        key = await uow.api_keys.get(cmd.key_id)
        if key is None:
            raise ApiKeyNotFound(f"API key {cmd.key_id} not found")
        key.revoke(by=cmd.actor_id, now=deps.clock.now())
        await uow.api_keys.save(key)
        await uow.commit()
    return ApiKeyView.of(key)
