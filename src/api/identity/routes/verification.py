"""Email verification over HTTP: the account holder asks for a link to their current email,
and the link's token, posted back, verifies it. Only the holder of the link can verify, and
the answers name no account."""

from fastapi import APIRouter, status

from api.dependencies import ProfileOwner, Services
from api.identity import schemas
from api.openapi import raises
from application.identity import commands as c
from application.identity.views import VerificationSent
from domain.identity import errors as identity

auth = APIRouter(prefix="/api/v1/auth", tags=["auth"])
users = APIRouter(prefix="/api/v1/users", tags=["users"])


@users.post(
    "/me/email-verification",
    summary="Send a verification link to your email",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=schemas.VerificationSentResponse,
)
@raises(identity.UserNotFound, identity.EmailAlreadyVerified)
async def request_verification(principal: ProfileOwner, services: Services) -> VerificationSent:
    """The link works once, until `expires_at`; asking again replaces an unused one. It goes by
    mail, where `MAIL_BACKEND` sends it."""
    return await services.bus.handle(c.RequestEmailVerification(actor=principal))


@auth.post(
    "/verify-email",
    summary="Verify an email with the token from its link",
    status_code=status.HTTP_204_NO_CONTENT,
)
@raises(
    identity.VerificationTokenInvalid,
    identity.VerificationTokenUsed,
    identity.VerificationTokenExpired,
)
async def verify_email(body: schemas.VerificationRequest, services: Services) -> None:
    """Needs no login: the token is the proof. A used token is 400 `verification_token_used`,
    an expired one 410 `verification_token_expired`, anything else 400
    `verification_token_invalid`."""
    await services.bus.handle(c.VerifyEmail(token=body.token))
