"""Handlers of login sessions: log in, rotate a refresh token (a reused one revokes its whole
family), log out; and guest sessions, which have no refresh token to rotate."""

import secrets
import uuid
from datetime import datetime

from application.identity import commands as c
from application.identity.deps import IdentityDeps
from application.identity.ports import AlreadyUsed, Claimed
from application.identity.views import GuestToken, TokenPair
from application.shared.errors import NotAuthenticated
from domain.identity.errors import AccountDeactivated, InvalidEmail
from domain.identity.session import GuestSession, LoginSession, RefreshToken
from domain.identity.values import EmailAddress, secret_digest

_BAD_CREDENTIALS = "email or password is wrong"


async def log_in(cmd: c.LogIn, deps: IdentityDeps) -> TokenPair:
    await deps.throttle.check(email=cmd.email, client_ip=cmd.client_ip)
    try:
        email = EmailAddress.parse(cmd.email)
    except InvalidEmail:
        await deps.throttle.record_failure(email=cmd.email, client_ip=cmd.client_ip)
        raise NotAuthenticated(_BAD_CREDENTIALS) from None
    async with deps.uow() as uow:
        user = await uow.users.get_by_email(email)
        if user is None:
            await deps.hasher.waste_time(cmd.password)
            await deps.throttle.record_failure(email=cmd.email, client_ip=cmd.client_ip)
            raise NotAuthenticated(_BAD_CREDENTIALS)
        matches, new_hash = await deps.hasher.verify(cmd.password, user.password_hash)
        if not matches:
            await deps.throttle.record_failure(email=cmd.email, client_ip=cmd.client_ip)
            raise NotAuthenticated(_BAD_CREDENTIALS)
        if not user.is_active:
            raise AccountDeactivated("this account is deactivated")
        if new_hash is not None:
            user.rehash_password(new_hash=new_hash)
            await uow.users.save(user)
        now = deps.clock.now()
        session = LoginSession(
            id=uuid.uuid4(), user_id=user.id, created_at=now, expires_at=now + deps.session_lifetime
        )
        plain, token = _new_refresh_token(session.id, now=now, expires_at=session.expires_at)
        await uow.sessions.start(session, token)
        await uow.commit()
    return _token_pair(user.id, session.id, plain, now=now, deps=deps)


async def refresh_session(cmd: c.RefreshSession, deps: IdentityDeps) -> TokenPair:
    now = deps.clock.now()
    async with deps.uow() as uow:
        outcome = await uow.sessions.claim(secret_digest(cmd.refresh_token), now=now)
        if isinstance(outcome, AlreadyUsed):
            # A spent token came back: it was stolen, or a copy of it was. Either way nobody
            # in this family can be trusted any more (OAuth 2.0 Security BCP, 4.14.2).
            await uow.sessions.revoke(outcome.session_id, now=now)
            await uow.commit()
            raise NotAuthenticated("refresh token reuse detected; the session was revoked")
        if not isinstance(outcome, Claimed):
            raise NotAuthenticated("the refresh token is invalid, expired or revoked")
        plain, token = _new_refresh_token(
            outcome.session_id, now=now, expires_at=outcome.session_expires_at
        )
        await uow.sessions.add_token(token)
        await uow.commit()
    return _token_pair(outcome.user_id, outcome.session_id, plain, now=now, deps=deps)


async def log_out(cmd: c.LogOut, deps: IdentityDeps) -> None:
    async with deps.uow() as uow:
        if cmd.actor.is_guest:
            await uow.sessions.revoke_guest(cmd.actor.session_id, now=deps.clock.now())
        else:
            await uow.sessions.revoke(cmd.actor.session_id, now=deps.clock.now())
        await uow.commit()


async def start_guest_session(cmd: c.StartGuestSession, deps: IdentityDeps) -> GuestToken:
    # Free to ask for, so limited per client address like registrations: each one is a row.
    await deps.throttle.check_guest(client_ip=cmd.client_ip)
    now = deps.clock.now()
    session = GuestSession(
        id=uuid.uuid4(), guest_id=uuid.uuid4(), created_at=now, expires_at=now + deps.guest_lifetime
    )
    async with deps.uow() as uow:
        await uow.sessions.start_guest(session)
        await uow.commit()
    access = deps.tokens.issue_guest(
        guest_id=session.guest_id, session_id=session.id, now=now, expires_at=session.expires_at
    )
    return GuestToken(
        access_token=access.token, expires_in=access.expires_in, guest_id=session.guest_id
    )


def _new_refresh_token(
    session_id: uuid.UUID, *, now: datetime, expires_at: datetime
) -> tuple[str, RefreshToken]:
    plain = secrets.token_urlsafe(32)
    token = RefreshToken(
        id=uuid.uuid4(),
        session_id=session_id,
        token_hash=secret_digest(plain),
        issued_at=now,
        expires_at=expires_at,
    )
    return plain, token


def _token_pair(
    user_id: uuid.UUID, session_id: uuid.UUID, refresh: str, *, now: datetime, deps: IdentityDeps
) -> TokenPair:
    access = deps.tokens.issue(user_id=user_id, session_id=session_id, now=now)
    return TokenPair(
        access_token=access.token,
        expires_in=access.expires_in,
        refresh_token=refresh,
        user_id=user_id,
    )
