"""Identity's unit of work and repositories: the in-memory fakes and the PostgreSQL adapters keep
the same promises (round trips, nothing stored uncommitted, one account per email, a stale save
is a conflict, a refresh token is spent once)."""

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from application.identity.ports import AlreadyUsed, Claimed, IdentityUnitOfWorkFactory, Unusable
from application.shared.errors import ConcurrencyConflict
from domain.identity.api_key import ApiKey
from domain.identity.errors import EmailAlreadyRegistered
from domain.identity.session import LoginSession, RefreshToken
from domain.identity.values import EmailAddress, Permission
from infrastructure.identity.unit_of_work import SqlIdentityUnitOfWork
from tests.support.eventlog import REGISTRY
from tests.support.fakes.identity import FakeIdentityUnitOfWork, Store
from tests.support.users import NOW, a_user, add, session_with_token


@pytest.fixture(params=["memory", "postgres"])
def new_uow(request: pytest.FixtureRequest) -> IdentityUnitOfWorkFactory:
    if request.param == "memory":
        store = Store()
        return lambda: FakeIdentityUnitOfWork(store)
    engine: AsyncEngine = request.getfixturevalue("engine")
    return lambda: SqlIdentityUnitOfWork(engine, REGISTRY)


async def test_a_user_round_trips(new_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await add(new_uow, user)
    async with new_uow() as uow:
        loaded = await uow.users.get_by_email(EmailAddress.parse("ADA@example.com"))
        assert await uow.users.get(uuid.uuid4()) is None
    assert loaded is not None
    assert vars(loaded) | {"_pending_events": []} == vars(user) | {"_pending_events": []}


async def test_nothing_is_stored_unless_committed(new_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    async with new_uow() as uow:
        await uow.users.add(user)
    async with new_uow() as uow:
        assert await uow.users.get(user.id) is None


async def test_a_joined_unit_of_work_commits_only_with_the_outer_one(
    new_uow: IdentityUnitOfWorkFactory,
) -> None:
    undone, kept = a_user("undone@example.com"), a_user("kept@example.com")
    for user, outer_commits in ((undone, False), (kept, True)):
        async with new_uow() as outer:
            async with new_uow() as inner:
                await inner.users.add(user)
                await inner.commit()
            if outer_commits:
                await outer.commit()
    async with new_uow() as uow:
        assert await uow.users.get(undone.id) is None
        assert await uow.users.get(kept.id) is not None


async def test_one_email_is_one_account_even_when_registered_at_once(
    new_uow: IdentityUnitOfWorkFactory,
) -> None:
    results = await asyncio.gather(
        *(add(new_uow, a_user("same@example.com")) for _ in range(5)), return_exceptions=True
    )
    assert sum(r is None for r in results) == 1
    assert all(isinstance(r, EmailAlreadyRegistered) for r in results if r is not None)


async def test_a_save_from_a_stale_version_is_a_conflict(
    new_uow: IdentityUnitOfWorkFactory,
) -> None:
    user = a_user()
    await add(new_uow, user)
    # Each rival in a task of its own: a unit of work opened in the same task would join.
    mine_loaded, theirs_loaded = asyncio.Event(), asyncio.Event()

    async def change(name: str, loaded: asyncio.Event, wait_for: asyncio.Event | None) -> None:
        async with new_uow() as uow:
            found = await uow.users.get(user.id)
            assert found is not None
            loaded.set()
            if wait_for is not None:
                await wait_for.wait()
            found.update_profile(full_name=name, now=NOW)
            await uow.users.save(found)
            await uow.commit()

    mine = asyncio.create_task(change("Mine", mine_loaded, theirs_loaded))
    theirs = asyncio.create_task(change("Theirs", theirs_loaded, mine_done := asyncio.Event()))
    await mine
    mine_done.set()
    with pytest.raises(ConcurrencyConflict):
        await theirs
    async with new_uow() as uow:
        stored = await uow.users.get(user.id)
    assert stored is not None
    assert (stored.full_name, stored.version) == ("Mine", 1)


async def claim(
    new_uow: IdentityUnitOfWorkFactory, token_hash: str, now: datetime = NOW
) -> Claimed | AlreadyUsed | Unusable:
    async with new_uow() as uow:
        outcome = await uow.sessions.claim(token_hash, now=now)
        await uow.commit()
    return outcome


async def test_a_refresh_token_is_spent_once(new_uow: IdentityUnitOfWorkFactory) -> None:
    session = await session_with_token(new_uow, "hash-once")
    first = await claim(new_uow, "hash-once")
    assert first == Claimed(
        session_id=session.id, user_id=session.user_id, session_expires_at=session.expires_at
    )
    assert await claim(new_uow, "hash-once") == AlreadyUsed(session_id=session.id)


async def test_expired_revoked_and_unknown_tokens_are_unusable(
    new_uow: IdentityUnitOfWorkFactory,
) -> None:
    session = await session_with_token(new_uow, "hash-expiring")
    assert isinstance(await claim(new_uow, "hash-expiring", NOW + timedelta(days=2)), Unusable)
    async with new_uow() as uow:
        await uow.sessions.revoke(session.id, now=NOW)
        await uow.commit()
    assert isinstance(await claim(new_uow, "hash-expiring"), Unusable)
    assert isinstance(await claim(new_uow, "no-such-hash"), Unusable)


async def test_revoking_all_sessions_of_a_user_can_spare_one(
    new_uow: IdentityUnitOfWorkFactory,
) -> None:
    kept = await session_with_token(new_uow, "hash-kept")
    other = LoginSession(
        id=uuid.uuid4(), user_id=kept.user_id, created_at=NOW, expires_at=kept.expires_at
    )
    other_token = RefreshToken(
        id=uuid.uuid4(),
        session_id=other.id,
        token_hash="hash-other",
        issued_at=NOW,
        expires_at=other.expires_at,
    )
    async with new_uow() as uow:
        await uow.sessions.start(other, other_token)
        await uow.sessions.revoke_all_of(kept.user_id, now=NOW, except_session=kept.id)
        await uow.commit()
    assert isinstance(await claim(new_uow, "hash-kept"), Claimed)
    assert isinstance(await claim(new_uow, "hash-other"), Unusable)


async def test_an_api_key_round_trips_and_its_revocation_is_kept(
    new_uow: IdentityUnitOfWorkFactory,
) -> None:
    key = ApiKey.issue(
        id=uuid.uuid4(),
        name="warehouse",
        prefix="ak_0123",
        secret_hash="digest",
        scopes=frozenset({Permission.ORDERS_FULFIL}),
        created_by=uuid.uuid4(),
        now=NOW,
    )
    async with new_uow() as uow:
        await uow.api_keys.add(key)
        await uow.commit()
    async with new_uow() as uow:
        loaded = await uow.api_keys.get(key.id)
        assert loaded is not None
        assert (loaded.name, loaded.scopes, loaded.revoked_at) == (key.name, key.scopes, None)
        loaded.revoke(by=uuid.uuid4(), now=NOW)
        await uow.api_keys.save(loaded)
        await uow.commit()
    async with new_uow() as uow:
        revoked = await uow.api_keys.get(key.id)
        assert await uow.api_keys.get(uuid.uuid4()) is None
    assert revoked is not None
    assert revoked.revoked_at == NOW
