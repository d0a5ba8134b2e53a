"""Guest sessions over HTTP: a shopper without an account asks for a guest token and keeps a
cart and places orders with it (ADR 0035)."""

from fastapi import APIRouter, Request, status

from api.dependencies import Services, client_ip
from api.identity import schemas
from api.openapi import raises
from application.identity import commands as c
from application.identity.views import GuestToken
from application.shared import errors as shared

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/guest",
    summary="Start a guest session (no account needed)",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.GuestTokenResponse,
)
@raises(shared.TooManyAttempts)
async def start_guest_session(request: Request, services: Services) -> GuestToken:
    """The token is a guest's: it may keep a cart, check out (giving an email) and read its own
    orders, and nothing else (no profile, no address book). There is no refresh token; it lasts
    `AUTH_GUEST_TOKEN_MINUTES`, and logging out ends it at once. Guest sessions are limited per
    client address, like registrations."""
    return await services.bus.handle(c.StartGuestSession(client_ip=client_ip(request)))
