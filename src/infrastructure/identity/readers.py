"""The identity read side: SQLAlchemy Core selects straight into views, never aggregates."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncEngine

from application.identity.views import (
    AccountEvent,
    ApiKeyCredential,
    ApiKeyView,
    Principal,
    UserDetails,
    UserSummary,
)
from application.shared.errors import InvalidCursor
from application.shared.pagination import (
    Page,
    cursor_instant,
    decode_cursor,
    decode_position_cursor,
    encode_cursor,
    encode_position_cursor,
    page_of,
)
from application.shared.views import view_of
from domain.identity.values import Role
from infrastructure.db.engine import single_statement_reads
from infrastructure.identity.repositories import api_key_from_row
from infrastructure.identity.tables import account_history, api_keys, login_sessions, users


class SqlUserDirectory:
    """Answers identity queries without loading aggregates."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = single_statement_reads(engine)

    async def details(self, user_id: UUID) -> UserDetails | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
        if row is None:
            return None
        return view_of(UserDetails, row._mapping, roles=tuple(map(Role, row.roles)))

    async def list(self, *, limit: int, cursor: str | None) -> Page[UserSummary]:
        query = select(users).order_by(users.c.created_at, users.c.id).limit(limit + 1)
        if cursor is not None:
            created_at, user_id = decode_cursor(cursor, length=2)
            try:
                after = (cursor_instant(created_at), UUID(user_id))
            except ValueError:
                raise InvalidCursor("the cursor is not one this service issued") from None
            query = query.where(tuple_(users.c.created_at, users.c.id) > after)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return page_of(
            rows,
            limit,
            item=lambda r: view_of(UserSummary, r._mapping, roles=tuple(map(Role, r.roles))),
            cursor=lambda r: encode_cursor([r.created_at.isoformat(), str(r.id)]),
        )

    async def principal(
        self, *, user_id: UUID, session_id: UUID, now: datetime
    ) -> Principal | None:
        query = (
            select(users.c.roles)
            .join(login_sessions, login_sessions.c.user_id == users.c.id)
            .where(
                users.c.id == user_id,
                users.c.is_active.is_(True),
                login_sessions.c.id == session_id,
                login_sessions.c.revoked_at.is_(None),
                login_sessions.c.expires_at > now,
            )
        )
        async with self._engine.connect() as conn:
            roles = (await conn.execute(query)).scalar_one_or_none()
        if roles is None:
            return None
        return Principal(user_id=user_id, session_id=session_id, roles=frozenset(map(Role, roles)))

    async def history(self, user_id: UUID, *, limit: int, cursor: str | None) -> Page[AccountEvent]:
        query = (
            select(account_history)
            .where(account_history.c.user_id == user_id)
            .order_by(account_history.c.position)
            .limit(limit + 1)
        )
        if cursor is not None:
            query = query.where(account_history.c.position > decode_position_cursor(cursor))
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return page_of(
            rows,
            limit,
            item=lambda r: view_of(AccountEvent, r._mapping),
            cursor=lambda r: encode_position_cursor(r.position),
        )


class SqlApiKeyDirectory:
    """API keys for admins' lists and for checking presented keys."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def all(self) -> list[ApiKeyView]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(api_keys).order_by(api_keys.c.created_at))
            return [ApiKeyView.of(api_key_from_row(r._mapping)) for r in rows]

    async def by_prefix(self, prefix: str) -> ApiKeyCredential | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(api_keys).where(api_keys.c.prefix == prefix))
            ).one_or_none()
        if row is None:
            return None
        key = api_key_from_row(row._mapping)
        return ApiKeyCredential(key=ApiKeyView.of(key), secret_hash=key.secret_hash)

    async def touch(self, key_id: UUID, *, now: datetime, unless_since: datetime) -> None:
        last = api_keys.c.last_used_at
        async with self._engine.begin() as conn:
            await conn.execute(
                update(api_keys)
                .where(api_keys.c.id == key_id, or_(last.is_(None), last < unless_since))
                .values(last_used_at=now)
            )
