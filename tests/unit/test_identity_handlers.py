"""Identity handlers against in-memory fakes: the use cases' rules without I/O."""

from datetime import timedelta

import pytest

from application.identity.commands import (
    ChangePassword,
    DeactivateUser,
    LogIn,
    RefreshSession,
    RegisterUser,
    UpdateProfile,
)
from application.identity.handlers import session
from application.identity.handlers import user as accounts
from application.identity.views import Principal, TokenPair
from application.shared.errors import NotAuthenticated, PreconditionFailed, TooManyAttempts
from domain.identity.errors import AccountDeactivated, EmailAlreadyRegistered, WeakPassword
from domain.identity.values import Role
from tests.support.fakes.identity import (
    FakeHasher,
    FakeSessions,
    Store,
    identity_deps,
    new_id,
)
from tests.support.fakes.shared import FixedClock

PASSWORD = "correct-horse-battery"


async def register(store: Store, email: str = "ada@example.com") -> None:
    await accounts.register_user(
        RegisterUser(email=email, password=PASSWORD, full_name="Ada", client_ip="192.0.2.1"),
        deps=identity_deps(store),
    )


async def log_in(store: Store, email: str = "ada@example.com", **deps: object) -> TokenPair:
    return await session.log_in(
        LogIn(email=email, password=PASSWORD, client_ip="192.0.2.1"),
        deps=identity_deps(store, **deps),
    )


def principal_of(pair: TokenPair, store: Store) -> Principal:
    session_id = next(sid for sid, s in store.sessions.items() if s.session.user_id == pair.user_id)
    return Principal(user_id=pair.user_id, session_id=session_id, roles=frozenset({Role.CUSTOMER}))


async def test_registration_commits_one_user_with_a_hashed_password() -> None:
    store = Store()
    await register(store)
    [user] = store.users.values()
    assert user.password_hash == f"v2:{PASSWORD}"
    assert store.commits == 1


async def test_a_taken_email_is_refused_and_nothing_is_committed() -> None:
    store = Store()
    await register(store)
    with pytest.raises(EmailAlreadyRegistered):
        await register(store, "ADA@example.com")
    assert len(store.users) == 1
    assert store.commits == 1


async def test_a_weak_password_is_refused_before_anything_is_stored() -> None:
    store = Store()
    with pytest.raises(WeakPassword):
        await accounts.register_user(
            RegisterUser(
                email="a@example.com", password="short", full_name="A", client_ip="192.0.2.1"
            ),
            deps=identity_deps(store),
        )
    assert store.users == {}


async def test_logging_in_starts_a_session_with_one_refresh_token() -> None:
    store = Store()
    await register(store)
    pair = await log_in(store)
    assert len(store.sessions) == 1
    assert len(store.tokens) == 1
    assert pair.refresh_token not in store.tokens  # only its hash is stored


async def test_failed_logins_are_counted_and_then_throttled() -> None:
    store = Store()
    await register(store)
    deps = identity_deps(store)
    wrong = LogIn(email="ada@example.com", password="wrong-password!", client_ip="192.0.2.1")
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            await session.log_in(wrong, deps=deps)
    with pytest.raises(TooManyAttempts):
        await session.log_in(wrong, deps=deps)


async def test_logging_in_upgrades_an_outdated_hash() -> None:
    store = Store()
    await accounts.register_user(
        RegisterUser(
            email="ada@example.com", password=PASSWORD, full_name="Ada", client_ip="192.0.2.1"
        ),
        deps=identity_deps(store, hasher=FakeHasher("v1")),
    )
    await log_in(store)  # the default fake hasher is at v2
    [user] = store.users.values()
    assert user.password_hash == f"v2:{PASSWORD}"


async def test_a_deactivated_account_cannot_log_in() -> None:
    store = Store()
    await register(store)
    [user] = store.users.values()
    user.is_active = False
    with pytest.raises(AccountDeactivated):
        await log_in(store)
    assert store.sessions == {}


async def test_refreshing_rotates_and_a_replay_revokes_the_family() -> None:
    store = Store()
    await register(store)
    first = await log_in(store)
    deps = identity_deps(store)

    second = await session.refresh_session(
        RefreshSession(refresh_token=first.refresh_token), deps=deps
    )
    assert second.refresh_token != first.refresh_token

    with pytest.raises(NotAuthenticated, match="reuse"):
        await session.refresh_session(RefreshSession(refresh_token=first.refresh_token), deps=deps)
    assert FakeSessions(store).live_sessions_of(first.user_id) == []  # revocation committed
    with pytest.raises(NotAuthenticated):
        await session.refresh_session(RefreshSession(refresh_token=second.refresh_token), deps=deps)


async def test_an_expired_session_cannot_be_refreshed() -> None:
    store = Store()
    await register(store)
    pair = await log_in(store)
    clock = FixedClock()
    clock.advance(timedelta(days=15))
    with pytest.raises(NotAuthenticated, match="invalid, expired or revoked"):
        await session.refresh_session(
            RefreshSession(refresh_token=pair.refresh_token), deps=identity_deps(store, clock=clock)
        )


async def test_changing_the_password_keeps_only_the_current_session() -> None:
    store = Store()
    await register(store)
    current = await log_in(store)
    await log_in(store)
    actor = principal_of(current, store)

    await accounts.change_password(
        ChangePassword(
            actor=actor,
            current_password=PASSWORD,
            new_password="new-long-password",
            client_ip="192.0.2.1",
        ),
        deps=identity_deps(store),
    )

    assert FakeSessions(store).live_sessions_of(current.user_id) == [actor.session_id]


async def test_a_stale_expected_version_changes_nothing() -> None:
    store = Store()
    await register(store)
    pair = await log_in(store)
    actor = principal_of(pair, store)
    with pytest.raises(PreconditionFailed):
        await accounts.update_profile(
            UpdateProfile(actor=actor, full_name="Other", expected_version=7),
            deps=identity_deps(store),
        )
    assert store.users[pair.user_id].full_name == "Ada"


async def test_deactivating_a_user_ends_all_their_sessions() -> None:
    store = Store()
    await register(store)
    pair = await log_in(store)
    admin = Principal(user_id=new_id(), session_id=new_id(), roles=frozenset({Role.ADMIN}))

    await accounts.deactivate_user(
        DeactivateUser(actor=admin, user_id=pair.user_id), deps=identity_deps(store)
    )

    assert not store.users[pair.user_id].is_active
    assert FakeSessions(store).live_sessions_of(pair.user_id) == []
