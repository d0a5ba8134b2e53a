"""Password reset over HTTP: anyone may ask for a link to an email, and the link's token,
posted back with a new password, sets it and ends every login of the account. The answers
name no account: asking is 202 with the same body whether or not the email has one."""

from fastapi import APIRouter, status

from api.dependencies import Services
from api.identity import schemas
from api.openapi import raises
from application.identity import commands as c
from application.shared import errors as shared
from domain.identity import errors as identity

router = APIRouter(prefix="/api/v1/auth/password-reset", tags=["auth"])

ACCEPTED = "If an account has this email, a password reset link is on its way."


@router.post(
    "",
    summary="Mail a password reset link",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=schemas.PasswordResetAccepted,
)
@raises(shared.TooManyAttempts)
async def request_password_reset(
    body: schemas.PasswordResetRequest, services: Services
) -> schemas.PasswordResetAccepted:
    """Always 202 with the same body; 429 past AUTH_PASSWORD_RESET_LIMIT_PER_EMAIL requests for
    one email, account or not. The link works once, until its lifetime ends
    (`AUTH_PASSWORD_RESET_TOKEN_MINUTES`); asking again replaces an unused one."""
    await services.bus.handle(c.RequestPasswordReset(email=str(body.email)))
    return schemas.PasswordResetAccepted(detail=ACCEPTED)


@router.post(
    "/confirm",
    summary="Set a new password with the token from its link",
    status_code=status.HTTP_204_NO_CONTENT,
)
@raises(
    identity.PasswordResetTokenInvalid,
    identity.PasswordResetTokenUsed,
    identity.PasswordResetTokenExpired,
    identity.WeakPassword,
)
async def confirm_password_reset(body: schemas.PasswordResetConfirm, services: Services) -> None:
    """Needs no login: the token is the proof. Every session and refresh token of the account
    ends. A used token is 400 `password_reset_token_used`, an expired one 410
    `password_reset_token_expired`, anything else 400 `password_reset_token_invalid`; a
    password the rules refuse is 422 and the token still works."""
    await services.bus.handle(c.ResetPassword(token=body.token, new_password=body.new_password))
