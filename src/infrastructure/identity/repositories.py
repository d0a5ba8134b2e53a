"""SQL repositories of identity on the unit of work's connection (Core, no session), and the
data mapping of its aggregates to rows and back."""

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from application.identity.ports import AlreadyUsed, Claimed, Spent, TokenOutcome, Unusable
from application.shared.errors import ConcurrencyConflict
from application.shared.views import view_of
from domain.identity.api_key import ApiKey
from domain.identity.errors import EmailAlreadyRegistered
from domain.identity.session import GuestSession, LoginSession, RefreshToken, VerificationToken
from domain.identity.user import User
from domain.identity.values import EmailAddress, Permission, Role
from infrastructure.db.unit_of_work import SeenAggregates
from infrastructure.identity.tables import (
    api_keys,
    email_verification_tokens,
    guest_sessions,
    login_sessions,
    refresh_tokens,
    users,
)


class SqlUserRepository:
    """Users with optimistic concurrency on `version`."""

    def __init__(self, conn: AsyncConnection, seen: SeenAggregates) -> None:
        self._conn = conn
        self._seen = seen

    async def get(self, user_id: UUID) -> User | None:
        row = (await self._conn.execute(select(users).where(users.c.id == user_id))).first()
        return None if row is None else self._seen.add(user_from_row(row._mapping))

    async def get_by_email(self, email: EmailAddress) -> User | None:
        row = (await self._conn.execute(select(users).where(users.c.email == email.value))).first()
        return None if row is None else self._seen.add(user_from_row(row._mapping))

    async def add(self, user: User) -> None:
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(insert(users).values(user_to_row(user)))
        except IntegrityError as exc:
            if "uq_users_email" in str(exc.orig):
                raise EmailAlreadyRegistered(f"{user.email} is already registered") from None
            raise
        self._seen.add(user)

    async def save(self, user: User) -> None:
        result = await self._conn.execute(
            update(users)
            .where(users.c.id == user.id, users.c.version == user.version)
            .values(user_to_row(user) | {"version": user.version + 1})
        )
        if result.rowcount != 1:
            raise ConcurrencyConflict(f"user {user.id} was changed concurrently; try again")
        user.version += 1


class SqlSessionRepository:
    """Login sessions and their refresh tokens; claims are one conditional UPDATE."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def start(self, session: LoginSession, first_token: RefreshToken) -> None:
        await self._conn.execute(insert(login_sessions).values(asdict(session)))
        await self.add_token(first_token)

    async def add_token(self, token: RefreshToken) -> None:
        await self._conn.execute(insert(refresh_tokens).values(asdict(token)))

    async def claim(self, token_hash: str, *, now: datetime) -> Claimed | AlreadyUsed | Unusable:
        # Row locking makes concurrent claims of one token queue up; the WHERE is re-checked
        # after the first commits, so exactly one of them sees used_at IS NULL.
        claimed = (
            await self._conn.execute(
                update(refresh_tokens)
                .where(
                    refresh_tokens.c.token_hash == token_hash,
                    refresh_tokens.c.used_at.is_(None),
                    refresh_tokens.c.expires_at > now,
                    refresh_tokens.c.session_id == login_sessions.c.id,
                    login_sessions.c.revoked_at.is_(None),
                )
                .values(used_at=now)
                .returning(
                    refresh_tokens.c.session_id,
                    login_sessions.c.user_id,
                    login_sessions.c.expires_at,
                )
            )
        ).first()
        if claimed is not None:
            return view_of(Claimed, claimed._mapping, session_expires_at=claimed.expires_at)
        spent = (
            await self._conn.execute(
                select(refresh_tokens.c.session_id).where(
                    refresh_tokens.c.token_hash == token_hash,
                    refresh_tokens.c.used_at.is_not(None),
                )
            )
        ).first()
        return Unusable() if spent is None else AlreadyUsed(session_id=spent.session_id)

    async def revoke(self, session_id: UUID, *, now: datetime) -> None:
        await self._conn.execute(
            update(login_sessions)
            .where(login_sessions.c.id == session_id, login_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_all_of(
        self, user_id: UUID, *, now: datetime, except_session: UUID | None = None
    ) -> None:
        condition = and_(login_sessions.c.user_id == user_id, login_sessions.c.revoked_at.is_(None))
        if except_session is not None:
            condition = and_(condition, login_sessions.c.id != except_session)
        await self._conn.execute(update(login_sessions).where(condition).values(revoked_at=now))

    async def start_guest(self, session: GuestSession) -> None:
        await self._conn.execute(insert(guest_sessions).values(asdict(session)))

    async def revoke_guest(self, session_id: UUID, *, now: datetime) -> None:
        await self._conn.execute(
            update(guest_sessions)
            .where(guest_sessions.c.id == session_id, guest_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )


class SqlVerificationTokens:
    """Single-use tokens sent by mail (email verification, or password reset on the table of
    its own); spending one is one conditional UPDATE, as claims are."""

    def __init__(self, conn: AsyncConnection, table: sa.Table = email_verification_tokens) -> None:
        self._conn = conn
        self._table = table

    async def issue(self, token: VerificationToken) -> None:
        table = self._table
        await self._conn.execute(
            delete(table).where(table.c.user_id == token.user_id, table.c.used_at.is_(None))
        )
        await self._conn.execute(insert(table).values(asdict(token)))

    async def spend(self, token_hash: str, *, now: datetime) -> Spent | TokenOutcome:
        table = self._table
        spent = (
            await self._conn.execute(
                update(table)
                .where(
                    table.c.token_hash == token_hash,
                    table.c.used_at.is_(None),
                    table.c.expires_at > now,
                )
                .values(used_at=now)
                .returning(table.c.user_id, table.c.email)
            )
        ).first()
        if spent is not None:
            return Spent(user_id=spent.user_id, email=spent.email)
        found = (
            await self._conn.execute(
                select(table.c.used_at).where(table.c.token_hash == token_hash)
            )
        ).first()
        if found is None:
            return TokenOutcome.UNKNOWN
        return TokenOutcome.USED if found.used_at is not None else TokenOutcome.EXPIRED


class SqlApiKeyRepository:
    """API keys; only their revocation changes after they are issued."""

    def __init__(self, conn: AsyncConnection, seen: SeenAggregates) -> None:
        self._conn = conn
        self._seen = seen

    async def add(self, key: ApiKey) -> None:
        await self._conn.execute(insert(api_keys).values(api_key_to_row(key)))
        self._seen.add(key)

    async def get(self, key_id: UUID) -> ApiKey | None:
        row = (await self._conn.execute(select(api_keys).where(api_keys.c.id == key_id))).first()
        return None if row is None else self._seen.add(api_key_from_row(row._mapping))

    async def save(self, key: ApiKey) -> None:
        await self._conn.execute(
            update(api_keys).where(api_keys.c.id == key.id).values(revoked_at=key.revoked_at)
        )


def api_key_to_row(key: ApiKey) -> dict[str, Any]:
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


def api_key_from_row(row: Mapping[Any, Any]) -> ApiKey:
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


def user_to_row(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email.value,
        "password_hash": user.password_hash,
        "full_name": user.full_name,
        "roles": sorted(user.roles),
        "is_active": user.is_active,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "version": user.version,
        "email_verified_at": user.email_verified_at,
    }


def user_from_row(row: Mapping[Any, Any]) -> User:
    return User(
        id=row["id"],
        email=EmailAddress(row["email"]),
        password_hash=row["password_hash"],
        full_name=row["full_name"],
        roles=frozenset(Role(r) for r in row["roles"]),
        is_active=row["is_active"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
        email_verified_at=row["email_verified_at"],
    )
