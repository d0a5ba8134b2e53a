"""Schemas of API key management."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.identity.api_key import ApiKey


class NewApiKey(BaseModel):
    """A key for an integration: a name to recognise it by and the scopes it may use."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["warehouse"])
    scopes: list[str] = Field(
        min_length=1,
        max_length=10,
        description="Any of `orders:read:any`, `orders:fulfil`, `inventory:read`, "
        "`inventory:write`.",
        examples=[["orders:read:any", "orders:fulfil"]],
    )


class ApiKeyResponse(BaseModel):
    """An API key's record; the key itself is shown only once, when it is created."""

    id: UUID
    name: str
    prefix: str = Field(description="Identifies the key in lists; not secret.")
    scopes: list[str]
    created_by: UUID
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> "ApiKeyResponse":
        return cls(
            id=key.id,
            name=key.name,
            prefix=key.prefix,
            scopes=sorted(key.scopes),
            created_by=key.created_by,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
            last_used_at=key.last_used_at,
        )


class IssuedApiKeyResponse(ApiKeyResponse):
    """A new key's record with the key itself in `key`, returned this once only."""

    key: str = Field(description="Shown this once; only its hash is kept. Send it as X-API-Key.")


class ApiKeyList(BaseModel):
    """Every API key, oldest first, revoked ones included."""

    items: list[ApiKeyResponse]
