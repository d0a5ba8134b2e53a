"""Handlers of password reset: mail a single-use link to the account of an email, and spend
it to set a new password. Asking answers the same whether or not the account exists, and an
unknown email costs the same lookup and nothing more; only the token's SHA-256 is stored, as
verification tokens are, and the token is in the mail alone."""

import secrets
import uuid
from urllib.parse import urlencode

from application.identity import commands as c
from application.identity.deps import IdentityDeps
from application.identity.ports import Spent, TokenOutcome
from domain.identity.errors import (
    InvalidEmail,
    PasswordResetTokenExpired,
    PasswordResetTokenInvalid,
    PasswordResetTokenUsed,
)
from domain.identity.session import VerificationToken
from domain.identity.values import EmailAddress, check_password_policy, secret_digest

_REFUSALS: dict[TokenOutcome, type[PasswordResetTokenInvalid]] = {
    TokenOutcome.UNKNOWN: PasswordResetTokenInvalid,
    TokenOutcome.USED: PasswordResetTokenUsed,
    TokenOutcome.EXPIRED: PasswordResetTokenExpired,
}


async def request_password_reset(cmd: c.RequestPasswordReset, deps: IdentityDeps) -> None:
    await deps.throttle.check_password_reset(email=cmd.email)
    try:
        email = EmailAddress.parse(cmd.email)
    except InvalidEmail:
        return  # no account has it: the same answer as for any unknown email
    now = deps.clock.now()
    plain = secrets.token_urlsafe(32)
    async with deps.uow() as uow:
        user = await uow.users.get_by_email(email)
        if user is None or not user.is_active:
            return
        token = VerificationToken(
            id=uuid.uuid4(),
            user_id=user.id,
            email=user.email.value,
            token_hash=secret_digest(plain),
            issued_at=now,
            expires_at=now + deps.reset_lifetime,
        )
        await uow.password_resets.issue(token)
        await uow.commit()
    # After the commit, as verification links are: only a token that exists is mailed.
    link = f"{deps.reset_link}?{urlencode({'token': plain})}"
    await deps.mail.send_password_reset(email=token.email, link=link)


async def reset_password(cmd: c.ResetPassword, deps: IdentityDeps) -> None:
    """All or nothing: a refused password (the usual rules) leaves the token unspent."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        outcome = await uow.password_resets.spend(secret_digest(cmd.token), now=now)
        if not isinstance(outcome, Spent):
            raise _REFUSALS[outcome](f"the password reset token is {outcome.value}")
        user = await uow.users.get(outcome.user_id)
        # The link proves the mailbox it was sent to; an account that moved on is not reset.
        if user is None or not user.is_active or user.email.value != outcome.email:
            raise PasswordResetTokenInvalid("the password reset token is not for this account")
        check_password_policy(cmd.new_password, email=user.email, common=deps.common_passwords)
        user.change_password(new_hash=await deps.hasher.hash(cmd.new_password), now=now)
        await uow.users.save(user)
        # Whoever knew the old password (or holds a session) is out: every login ends.
        await uow.sessions.revoke_all_of(user.id, now=now)
        await uow.commit()
