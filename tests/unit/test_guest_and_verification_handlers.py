"""Handlers of guest sessions, email verification and address books against in-memory fakes:
a guest's token lives as its session does, a verification token works once and only before
it expires, and a change to an address needs its current version."""

import uuid
from datetime import timedelta

import pytest

from application.identity import commands as c
from application.identity.handlers import address_book, session, verification
from application.identity.views import Principal
from application.shared.errors import PreconditionFailed, PreconditionRequired
from domain.identity.errors import (
    AddressNotFound,
    EmailAlreadyVerified,
    VerificationTokenExpired,
    VerificationTokenInvalid,
    VerificationTokenUsed,
)
from domain.identity.values import PostalAddress, Role
from tests.support.fakes.identity import FakeMail, FakeTokens, Store, identity_deps
from tests.support.fakes.shared import FixedClock
from tests.support.users import a_user

HOME = PostalAddress(
    name="Ada", line1="1 High Street", line2=None, city="Bath", postal_code="BA1", country="GB"
)


def holder_of(store: Store) -> Principal:
    user = a_user()
    store.users[user.id] = user
    return Principal(user_id=user.id, session_id=uuid.uuid4(), roles=frozenset({Role.CUSTOMER}))


async def test_a_guest_session_gives_a_guest_token_as_long_lived_as_the_session() -> None:
    store = Store()
    deps = identity_deps(store, guest_lifetime=timedelta(hours=6))
    token = await session.start_guest_session(c.StartGuestSession(client_ip="192.0.2.1"), deps)

    [(stored, revoked_at)] = store.guest_sessions.values()
    assert (stored.guest_id, revoked_at) == (token.guest_id, None)
    assert stored.expires_at - stored.created_at == timedelta(hours=6)
    assert token.expires_in == 6 * 3600
    claims = FakeTokens().verify(token.access_token)
    assert (claims.user_id, claims.session_id, claims.is_guest) == (token.guest_id, stored.id, True)
    assert token.guest_id not in store.users


async def test_logging_a_guest_out_ends_its_guest_session() -> None:
    store = Store()
    deps = identity_deps(store)
    token = await session.start_guest_session(c.StartGuestSession(client_ip="192.0.2.1"), deps)
    [session_id] = store.guest_sessions
    guest = Principal(
        user_id=token.guest_id,
        session_id=session_id,
        roles=frozenset({Role.GUEST}),
        is_guest=True,
    )
    await session.log_out(c.LogOut(actor=guest), deps)
    assert store.guest_sessions[session_id][1] is not None


async def test_a_verification_token_verifies_once() -> None:
    store, mail = Store(), FakeMail()
    deps = identity_deps(store, mail=mail)
    holder = holder_of(store)
    sent = await verification.request_email_verification(
        c.RequestEmailVerification(actor=holder), deps
    )
    [(email, link)] = mail.sent
    assert (email, sent.email) == ("ada@example.com", "ada@example.com")
    assert link.startswith("https://shop.example/verify-email?token=")
    # Only the digest is stored: the token in the link is nowhere in the store.
    assert mail.last_token() not in store.verifications

    await verification.verify_email(c.VerifyEmail(token=mail.last_token()), deps)
    assert store.users[holder.user_id].email_verified
    with pytest.raises(VerificationTokenUsed):
        await verification.verify_email(c.VerifyEmail(token=mail.last_token()), deps)
    with pytest.raises(EmailAlreadyVerified):
        await verification.request_email_verification(
            c.RequestEmailVerification(actor=holder), deps
        )


async def test_an_expired_verification_token_is_refused_and_verifies_nothing() -> None:
    store, mail, clock = Store(), FakeMail(), FixedClock()
    deps = identity_deps(store, mail=mail, clock=clock, verification_lifetime=timedelta(hours=1))
    holder = holder_of(store)
    await verification.request_email_verification(c.RequestEmailVerification(actor=holder), deps)
    clock.advance(timedelta(hours=1))
    with pytest.raises(VerificationTokenExpired):
        await verification.verify_email(c.VerifyEmail(token=mail.last_token()), deps)
    assert not store.users[holder.user_id].email_verified


async def test_a_new_request_replaces_the_unused_link_and_an_unknown_token_is_invalid() -> None:
    store, mail = Store(), FakeMail()
    deps = identity_deps(store, mail=mail)
    holder = holder_of(store)
    for _ in range(2):
        await verification.request_email_verification(
            c.RequestEmailVerification(actor=holder), deps
        )
    first, second = (link.rsplit("token=", 1)[1] for _, link in mail.sent)
    for token in (first, "never-issued"):
        with pytest.raises(VerificationTokenInvalid) as refused:
            await verification.verify_email(c.VerifyEmail(token=token), deps)
        assert type(refused.value) is VerificationTokenInvalid
    await verification.verify_email(c.VerifyEmail(token=second), deps)


async def test_changing_an_address_needs_its_current_version() -> None:
    store = Store()
    deps = identity_deps(store)
    holder = holder_of(store)
    saved = await address_book.add_address(
        c.AddAddress(actor=holder, label="Home", address=HOME), deps
    )

    def change(version: int | None) -> c.ChangeAddress:
        return c.ChangeAddress(
            actor=holder, address_id=saved.id, label="Flat", address=HOME, expected_version=version
        )

    with pytest.raises(PreconditionRequired):
        await address_book.change_address(change(None), deps)
    with pytest.raises(PreconditionFailed):
        await address_book.change_address(change(saved.version + 1), deps)
    changed = await address_book.change_address(change(saved.version), deps)
    assert (changed.label, changed.version) == ("Flat", saved.version + 1)
    assert changed.default_for == ("shipping", "billing")


async def test_another_customers_address_is_not_found_in_yours() -> None:
    store = Store()
    deps = identity_deps(store)
    owner, other = holder_of(store), holder_of(Store())
    saved = await address_book.add_address(
        c.AddAddress(actor=owner, label="Home", address=HOME), deps
    )
    with pytest.raises(AddressNotFound):
        await address_book.remove_address(c.RemoveAddress(actor=other, address_id=saved.id), deps)
    assert len(store.address_books[owner.user_id].entries) == 1
