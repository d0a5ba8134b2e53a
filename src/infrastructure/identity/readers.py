"""The identity read side: SQLAlchemy Core selects straight into views, never aggregates."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Select, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.identity.views import (
    AccountEvent,
    AddressBookView,
    AddressView,
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
from domain.identity.values import AddressKind, PostalAddress, Role
from infrastructure.db.engine import single_statement_reads
from infrastructure.identity.address_book import address_from_row
from infrastructure.identity.repositories import api_key_from_row
from infrastructure.identity.tables import (
    account_history,
    address_books,
    addresses,
    api_keys,
    guest_sessions,
    login_sessions,
    users,
)


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
            select(users.c.roles, users.c.email, users.c.email_verified_at)
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
            row = (await conn.execute(query)).one_or_none()
        if row is None:
            return None
        return Principal(
            user_id=user_id,
            session_id=session_id,
            roles=frozenset(map(Role, row.roles)),
            email=row.email,
            email_verified=row.email_verified_at is not None,
        )

    async def guest(self, *, guest_id: UUID, session_id: UUID, now: datetime) -> Principal | None:
        query = select(guest_sessions.c.id).where(
            guest_sessions.c.id == session_id,
            guest_sessions.c.guest_id == guest_id,
            guest_sessions.c.revoked_at.is_(None),
            guest_sessions.c.expires_at > now,
        )
        async with self._engine.connect() as conn:
            if (await conn.execute(query)).one_or_none() is None:
                return None
        return Principal(
            user_id=guest_id, session_id=session_id, roles=frozenset({Role.GUEST}), is_guest=True
        )

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


class SqlAddressDirectory:
    """A customer's saved addresses, each read with what it is the default for."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = single_statement_reads(engine)

    async def book(self, user_id: UUID) -> AddressBookView:
        query = _with_defaults().where(addresses.c.user_id == user_id)
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(query.order_by(addresses.c.created_at, addresses.c.id))
            ).all()
        return AddressBookView(items=tuple(_address_view(r) for r in rows))

    async def address(self, *, user_id: UUID, address_id: UUID) -> AddressView | None:
        query = _with_defaults().where(addresses.c.user_id == user_id, addresses.c.id == address_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).one_or_none()
        return None if row is None else _address_view(row)


async def saved_address(
    conn: AsyncConnection, *, user_id: UUID, address_id: UUID
) -> PostalAddress | None:
    """The customer's address, in one statement on the caller's connection (ordering reads it
    inside its own transaction); None if it is not theirs."""
    row = (
        await conn.execute(
            select(addresses).where(addresses.c.user_id == user_id, addresses.c.id == address_id)
        )
    ).one_or_none()
    return None if row is None else address_from_row(row._mapping)


async def default_address(
    conn: AsyncConnection, *, user_id: UUID, kind: AddressKind
) -> PostalAddress | None:
    """The customer's default address of `kind`, in one statement; None if none is chosen."""
    chosen = (
        address_books.c.default_shipping_id
        if kind == AddressKind.SHIPPING
        else address_books.c.default_billing_id
    )
    query = (
        select(addresses)
        .join(address_books, address_books.c.user_id == addresses.c.user_id)
        .where(address_books.c.user_id == user_id, addresses.c.id == chosen)
    )
    row = (await conn.execute(query)).one_or_none()
    return None if row is None else address_from_row(row._mapping)


def _with_defaults() -> Select[Any]:
    return select(
        addresses, address_books.c.default_shipping_id, address_books.c.default_billing_id
    ).join(address_books, address_books.c.user_id == addresses.c.user_id)


def _address_view(row: Row[Any]) -> AddressView:
    mapping = row._mapping
    default_for = tuple(
        kind
        for kind, column in (
            (AddressKind.SHIPPING, "default_shipping_id"),
            (AddressKind.BILLING, "default_billing_id"),
        )
        if mapping[column] == mapping["id"]
    )
    return view_of(AddressView, mapping, default_for=default_for)


async def account_email(conn: AsyncConnection, *, user_id: UUID) -> str | None:
    """The account's email, in one statement on the caller's connection (the order mailer
    reads it inside its checkpoint's transaction); None if there is no such account."""
    return (
        await conn.execute(select(users.c.email).where(users.c.id == user_id))
    ).scalar_one_or_none()
