"""Identity repositories on real PostgreSQL: mapping round trips, uniqueness, concurrency."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from application.identity.ports import AlreadyUsed, Claimed, Unusable
from application.shared.errors import ConcurrencyConflict
from domain.identity.errors import EmailAlreadyRegistered
from domain.identity.session import LoginSession, RefreshToken
from domain.identity.user import User
from domain.identity.values import EmailAddress, Role
from infrastructure.identity.readers import SqlUserDirectory
from infrastructure.identity.unit_of_work import SqlIdentityUnitOfWork
from tests.support.eventlog import REGISTRY

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


async def add(engine: AsyncEngine, user: User) -> None:
    async with SqlIdentityUnitOfWork(engine, REGISTRY) as uow:
        await uow.users.add(user)
        await uow.commit()


async def test_a_user_round_trips_through_its_row(engine: AsyncEngine) -> None:
    user = a_user()
    await add(engine, user)
    async with SqlIdentityUnitOfWork(engine, REGISTRY) as uow:
        loaded = await uow.users.get_by_email(EmailAddress.parse("ADA@example.com"))
    assert loaded is not None
    assert vars(loaded) | {"_pending_events": []} == vars(user) | {"_pending_events": []}


async def test_nothing_is_stored_unless_committed(engine: AsyncEngine) -> None:
    user = a_user()
    async with SqlIdentityUnitOfWork(engine, REGISTRY) as uow:
        await uow.users.add(user)
    async with SqlIdentityUnitOfWork(engine, REGISTRY) as uow:
        assert await uow.users.get(user.id) is None


async def test_concurrent_registrations_of_one_email_store_one_user(engine: AsyncEngine) -> None:
    results = await asyncio.gather(
        *(add(engine, a_user("same@example.com")) for _ in range(5)), return_exceptions=True
    )
    assert sum(r is None for r in results) == 1
    assert all(isinstance(r, EmailAlreadyRegistered) for r in results if r is not None)


async def test_a_save_from_a_stale_version_is_a_conflict(engine: AsyncEngine) -> None:
    user = a_user()
    await add(engine, user)
    async with (
        SqlIdentityUnitOfWork(engine, REGISTRY) as first,
        SqlIdentityUnitOfWork(engine, REGISTRY) as second,
    ):
        mine = await first.users.get(user.id)
        theirs = await second.users.get(user.id)
        assert mine is not None
        assert theirs is not None
        mine.update_profile(full_name="Mine", now=NOW)
        await first.users.save(mine)
        await first.commit()
        theirs.update_profile(full_name="Theirs", now=NOW)
        with pytest.raises(ConcurrencyConflict):
            await second.users.save(theirs)
    directory = SqlUserDirectory(engine)
    details = await directory.details(user.id)
    assert details is not None
    assert (details.full_name, details.version) == ("Mine", 1)


async def _session_with_token(engine: AsyncEngine, token_hash: str) -> LoginSession:
    user = a_user(f"{uuid.uuid4().hex[:8]}@example.com")
    await add(engine, user)
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
    async with SqlIdentityUnitOfWork(engine, REGISTRY) as uow:
        await uow.sessions.start(session, token)
        await uow.commit()
    return session


async def _claim(engine: AsyncEngine, token_hash: str, now: datetime) -> object:
    async with SqlIdentityUnitOfWork(engine, REGISTRY) as uow:
        outcome = await uow.sessions.claim(token_hash, now=now)
        await asyncio.sleep(0.05)  # hold the row lock so the rivals really overlap
        await uow.commit()
    return outcome


async def test_of_many_concurrent_claims_of_one_token_exactly_one_wins(
    engine: AsyncEngine,
) -> None:
    session = await _session_with_token(engine, "hash-race")
    outcomes = await asyncio.gather(*(_claim(engine, "hash-race", NOW) for _ in range(4)))
    assert sum(isinstance(o, Claimed) for o in outcomes) == 1
    assert all(
        isinstance(o, AlreadyUsed) and o.session_id == session.id
        for o in outcomes
        if not isinstance(o, Claimed)
    )


async def test_expired_revoked_and_unknown_tokens_are_unusable(engine: AsyncEngine) -> None:
    session = await _session_with_token(engine, "hash-expiring")
    assert isinstance(await _claim(engine, "hash-expiring", NOW + timedelta(days=2)), Unusable)
    async with SqlIdentityUnitOfWork(engine, REGISTRY) as uow:
        await uow.sessions.revoke(session.id, now=NOW)
        await uow.commit()
    assert isinstance(await _claim(engine, "hash-expiring", NOW), Unusable)
    assert isinstance(await _claim(engine, "no-such-hash", NOW), Unusable)


async def test_the_principal_query_sees_revocation_and_deactivation(engine: AsyncEngine) -> None:
    session = await _session_with_token(engine, "hash-principal")
    directory = SqlUserDirectory(engine)
    principal = await directory.principal(user_id=session.user_id, session_id=session.id, now=NOW)
    assert principal is not None
    assert principal.roles == {Role.CUSTOMER, Role.STAFF}
    assert (
        await directory.principal(user_id=session.user_id, session_id=uuid.uuid4(), now=NOW) is None
    )
    assert (
        await directory.principal(
            user_id=session.user_id, session_id=session.id, now=NOW + timedelta(days=2)
        )
        is None
    )
