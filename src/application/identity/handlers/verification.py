"""Handlers of email verification: issue a single-use link for the caller's current email,
and spend it. Only the token's SHA-256 is stored, as refresh tokens are; the token itself
exists in the mail alone."""

import secrets
import uuid
from urllib.parse import urlencode

from application.identity import commands as c
from application.identity.deps import IdentityDeps
from application.identity.ports import Spent, TokenOutcome
from application.identity.views import VerificationSent
from domain.identity.errors import (
    EmailAlreadyVerified,
    UserNotFound,
    VerificationTokenExpired,
    VerificationTokenInvalid,
    VerificationTokenUsed,
)
from domain.identity.session import VerificationToken
from domain.identity.values import secret_digest

_REFUSALS: dict[TokenOutcome, type[VerificationTokenInvalid]] = {
    TokenOutcome.UNKNOWN: VerificationTokenInvalid,
    TokenOutcome.USED: VerificationTokenUsed,
    TokenOutcome.EXPIRED: VerificationTokenExpired,
}


async def request_email_verification(
    cmd: c.RequestEmailVerification, deps: IdentityDeps
) -> VerificationSent:
    now = deps.clock.now()
    plain = secrets.token_urlsafe(32)
    async with deps.uow() as uow:
        user = await uow.users.get(cmd.actor.user_id)
        if user is None:
            raise UserNotFound(f"user {cmd.actor.user_id} not found")
        if user.email_verified:
            raise EmailAlreadyVerified(f"{user.email} is verified already")
        token = VerificationToken(
            id=uuid.uuid4(),
            user_id=user.id,
            email=user.email.value,
            token_hash=secret_digest(plain),
            issued_at=now,
            expires_at=now + deps.verification_lifetime,
        )
        await uow.verifications.issue(token)
        await uow.commit()
    # After the commit: a link is only sent for a token that exists. A lost mail costs the
    # customer a second request, never a token nobody can use.
    link = f"{deps.verification_link}?{urlencode({'token': plain})}"
    await deps.mail.send_verification(email=token.email, link=link)
    return VerificationSent(email=token.email, expires_at=token.expires_at)


async def verify_email(cmd: c.VerifyEmail, deps: IdentityDeps) -> None:
    now = deps.clock.now()
    async with deps.uow() as uow:
        outcome = await uow.verifications.spend(secret_digest(cmd.token), now=now)
        if not isinstance(outcome, Spent):
            raise _REFUSALS[outcome](f"the verification token is {outcome.value}")
        user = await uow.users.get(outcome.user_id)
        # The link proves the address it was sent to; if the account moved on, it proves nothing.
        if user is None or user.email.value != outcome.email:
            raise VerificationTokenInvalid("the verification token is not for this email")
        user.verify_email(now=now)
        await uow.users.save(user)
        await uow.commit()
