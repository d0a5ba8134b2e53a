"""API keys in PostgreSQL: the secret's hash, never the secret."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ARRAY, Column, DateTime, Table, Text, Uuid, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.identity.api_key import ApiKey
from domain.identity.roles import Permission
from infrastructure.db.metadata import metadata

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("prefix", Text, nullable=False, unique=True),
    Column("secret_hash", Text, nullable=False),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("created_by", Uuid, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
)


class SqlApiKeys:
    """Each call is its own short transaction: keys change rarely and alone."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, key: ApiKey) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(insert(api_keys).values(_row(key)))

    async def get(self, key_id: UUID) -> ApiKey | None:
        return await self._one(api_keys.c.id == key_id)

    async def by_prefix(self, prefix: str) -> ApiKey | None:
        return await self._one(api_keys.c.prefix == prefix)

    async def save(self, key: ApiKey) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(api_keys)
                .where(api_keys.c.id == key.id)
                .values(revoked_at=key.revoked_at, name=key.name)
            )

    async def list(self) -> list[ApiKey]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(api_keys).order_by(api_keys.c.created_at))
            return [_key(r._mapping) for r in rows]

    async def touch(self, key_id: UUID, *, now: datetime, unless_since: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(api_keys)
                .where(
                    api_keys.c.id == key_id,
                    or_(api_keys.c.last_used_at.is_(None), api_keys.c.last_used_at < unless_since),
                )
                .values(last_used_at=now)
            )

    async def _one(self, condition: Any) -> ApiKey | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(api_keys).where(condition))).one_or_none()
        return None if row is None else _key(row._mapping)


def _row(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "secret_hash": key.secret_hash,
        "scopes": sorted(key.scopes),
        "created_by": key.created_by,
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
        "last_used_at": key.last_used_at,
    }


def _key(row: Any) -> ApiKey:
    return ApiKey(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        secret_hash=row["secret_hash"],
        scopes=frozenset(Permission(s) for s in row["scopes"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        last_used_at=row["last_used_at"],
    )
