"""Log in (OAuth2 password flow), refresh, log out."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from api.dependencies import CurrentPrincipal, Services
from api.problems import problem_responses
from api.schemas.identity import RefreshRequest, TokenResponse
from application.identity.commands import LogIn, LogOut, RefreshSession

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/token",
    summary="Log in with email and password (OAuth2 password flow)",
    response_model=TokenResponse,
    responses=problem_responses(401, 403, 422, 429),
)
async def log_in(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    services: Services,
) -> TokenResponse:
    """`username` is the account's email. Failed attempts are limited per account and per
    client address; the answer to too many is 429 with `Retry-After`."""
    client_ip = request.client.host if request.client else "unknown"
    pair = await services.bus.handle(
        LogIn(email=form.username, password=form.password, client_ip=client_ip)
    )
    return TokenResponse.of(pair)


@router.post(
    "/refresh",
    summary="Exchange a refresh token for a new token pair",
    response_model=TokenResponse,
    responses=problem_responses(401, 422),
)
async def refresh(body: RefreshRequest, services: Services) -> TokenResponse:
    """Each refresh token works once. Presenting a spent one again revokes its whole session:
    the legitimate holder and the thief must both log in again."""
    pair = await services.bus.handle(RefreshSession(refresh_token=body.refresh_token))
    return TokenResponse.of(pair)


@router.post(
    "/logout",
    summary="End the current session",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401),
)
async def log_out(principal: CurrentPrincipal, services: Services) -> None:
    """Revokes the session: its refresh tokens and its access tokens stop working at once."""
    await services.bus.handle(LogOut(actor=principal))
