"""Password reset handlers against in-memory fakes: only an account's email gets a link (in
any case), the token is stored as a digest and works once, a refused password spends nothing,
and a reset ends every session."""

import uuid
from datetime import timedelta

import pytest

from application.identity import commands as c
from application.identity.handlers import password_reset
from domain.identity.errors import (
    PasswordResetTokenExpired,
    PasswordResetTokenInvalid,
    PasswordResetTokenUsed,
    WeakPassword,
)
from domain.identity.session import LoginSession, RefreshToken
from tests.support.fakes.identity import FakeMail, Store, identity_deps
from tests.support.fakes.shared import FixedClock
from tests.support.users import NOW, a_user

NEW = "a-brand-new-passphrase-42"


def token_of(mail: FakeMail) -> str:
    return mail.resets[-1][1].rsplit("token=", 1)[1]


async def test_only_an_account_s_email_gets_a_link_whatever_its_case() -> None:
    store, mail = Store(), FakeMail()
    deps = identity_deps(store, mail=mail)
    user = a_user()
    store.users[user.id] = user
    await password_reset.request_password_reset(
        c.RequestPasswordReset(email="nobody@example.com"), deps
    )
    await password_reset.request_password_reset(c.RequestPasswordReset(email="not-an-email"), deps)
    assert (mail.resets, store.password_resets) == ([], {})
    await password_reset.request_password_reset(
        c.RequestPasswordReset(email=" ADA@Example.com "), deps
    )
    [(email, link)] = mail.resets
    assert email == "ada@example.com"
    assert link.startswith("http://localhost:8000/reset-password?token=")
    assert token_of(mail) not in store.password_resets  # only its digest is kept
    assert store.verifications == {}  # a store of its own


async def test_a_token_resets_once_ends_every_session_and_a_weak_password_spends_nothing() -> None:
    store, mail = Store(), FakeMail()
    deps = identity_deps(store, mail=mail)
    user = a_user()
    store.users[user.id] = user
    login = LoginSession(
        id=uuid.uuid4(), user_id=user.id, created_at=NOW, expires_at=NOW + timedelta(days=1)
    )
    first = RefreshToken(
        id=uuid.uuid4(),
        session_id=login.id,
        token_hash="h",
        issued_at=NOW,
        expires_at=login.expires_at,
    )
    async with deps.uow() as uow:
        await uow.sessions.start(login, first)
        await uow.commit()
    await password_reset.request_password_reset(
        c.RequestPasswordReset(email=user.email.value), deps
    )
    token = token_of(mail)

    with pytest.raises(WeakPassword):
        await password_reset.reset_password(c.ResetPassword(token=token, new_password="x"), deps)
    assert store.sessions[login.id].revoked_at is None
    await password_reset.reset_password(c.ResetPassword(token=token, new_password=NEW), deps)
    assert store.users[user.id].password_hash.endswith(NEW)
    assert store.sessions[login.id].revoked_at is not None
    with pytest.raises(PasswordResetTokenUsed):
        await password_reset.reset_password(c.ResetPassword(token=token, new_password=NEW), deps)
    with pytest.raises(PasswordResetTokenInvalid):
        await password_reset.reset_password(
            c.ResetPassword(token="made-up", new_password=NEW), deps
        )


async def test_an_expired_token_changes_nothing() -> None:
    store, mail, clock = Store(), FakeMail(), FixedClock()
    deps = identity_deps(store, mail=mail, clock=clock, reset_lifetime=timedelta(minutes=10))
    user = a_user()
    store.users[user.id] = user
    await password_reset.request_password_reset(
        c.RequestPasswordReset(email=user.email.value), deps
    )
    clock.advance(timedelta(minutes=10))
    with pytest.raises(PasswordResetTokenExpired):
        await password_reset.reset_password(
            c.ResetPassword(token=token_of(mail), new_password=NEW), deps
        )
    assert store.users[user.id].password_hash == "$argon2id$fake"
