"""Users for tests: a registered customer who is also staff, at a fixed time, stored through
any identity unit of work (a fake's or PostgreSQL's), with a login session."""

import uuid
from datetime import UTC, datetime, timedelta

from application.identity.ports import IdentityUnitOfWorkFactory
from domain.identity.session import LoginSession, RefreshToken
from domain.identity.user import User
from domain.identity.values import EmailAddress, Role

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def a_user(email: str = "ada@example.com") -> User:
    return User.register(
        id=uuid.uuid4(),
        email=EmailAddress.parse(email),
        password_hash="$argon2id$fake",
        full_name="Ada",
        now=NOW,
        roles=frozenset({Role.CUSTOMER, Role.STAFF}),
    )


async def add(new_uow: IdentityUnitOfWorkFactory, user: User) -> None:
    async with new_uow() as uow:
        await uow.users.add(user)
        await uow.commit()


async def session_with_token(new_uow: IdentityUnitOfWorkFactory, token_hash: str) -> LoginSession:
    """A new user's login session, with one refresh token stored as `token_hash`."""
    user = a_user(f"{uuid.uuid4().hex[:8]}@example.com")
    await add(new_uow, user)
    session = LoginSession(
        id=uuid.uuid4(), user_id=user.id, created_at=NOW, expires_at=NOW + timedelta(days=1)
    )
    token = RefreshToken(
        id=uuid.uuid4(),
        session_id=session.id,
        token_hash=token_hash,
        issued_at=NOW,
        expires_at=session.expires_at,
    )
    async with new_uow() as uow:
        await uow.sessions.start(session, token)
        await uow.commit()
    return session
