"""Accounts over HTTP: log in (OAuth2 password flow), refresh and log out; registration, the
caller's own profile and user administration; API keys for integrations (admins)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response, status

from api.dependencies import (
    ApiKeyManager,
    CurrentPrincipal,
    PageCursor,
    PageLimit,
    ProfileOwner,
    ProfileReader,
    Services,
    UserManager,
    UserReader,
    client_ip,
)
from api.etags import IfMatch, expected_version, with_etag
from api.identity import schemas
from api.openapi import raises
from application.identity import commands as c
from application.identity.views import AccountEvent, ApiKeyView, TokenPair, UserDetails, UserSummary
from application.shared import errors as shared
from application.shared.pagination import DEFAULT_LIMIT, Page
from domain.identity import errors as identity
from domain.identity.values import Role

auth = APIRouter(prefix="/api/v1/auth", tags=["auth"])
users = APIRouter(prefix="/api/v1/users", tags=["users"])
api_keys = APIRouter(prefix="/api/v1/api-keys", tags=["integrations"])
routers = [auth, users, api_keys]


@auth.post(
    "/token",
    summary="Log in with email and password (OAuth2 password flow)",
    response_model=schemas.TokenResponse,
)
@raises(identity.AccountDeactivated, shared.NotAuthenticated, shared.TooManyAttempts)
async def log_in(
    request: Request, form: Annotated[schemas.LoginForm, Depends()], services: Services
) -> TokenPair:
    """`username` is the account's email. Failed attempts are limited per account and per
    client address; the answer to too many is 429 with `Retry-After`."""
    return await services.bus.handle(
        c.LogIn(email=form.username, password=form.password, client_ip=client_ip(request))
    )


@auth.post(
    "/refresh",
    summary="Exchange a refresh token for a new token pair",
    response_model=schemas.TokenResponse,
)
@raises(shared.NotAuthenticated)
async def refresh(body: schemas.RefreshRequest, services: Services) -> TokenPair:
    """Each refresh token works once. Presenting a spent one again revokes its whole session:
    the legitimate holder and the thief must both log in again."""
    return await services.bus.handle(c.RefreshSession(refresh_token=body.refresh_token))


@auth.post(
    "/logout",
    summary="End the current session",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def log_out(principal: CurrentPrincipal, services: Services) -> None:
    """Revokes the session: its refresh tokens and its access tokens stop working at once."""
    await services.bus.handle(c.LogOut(actor=principal))


@users.post(
    "",
    summary="Register a customer account",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.UserResponse,
)
@raises(
    identity.EmailAlreadyRegistered,
    identity.InvalidEmail,
    identity.WeakPassword,
    shared.TooManyAttempts,
)
async def register(
    body: schemas.RegistrationRequest, request: Request, response: Response, services: Services
) -> UserDetails:
    """Registrations are limited per client address; the answer to too many is 429 with
    `Retry-After`."""
    user = await services.bus.handle(
        c.RegisterUser(client_ip=client_ip(request), **body.model_dump())
    )
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return with_etag(response, user.version, user)


@users.get(
    "/me",
    summary="Read your own account",
    response_model=schemas.UserResponse,
)
@raises(identity.UserNotFound)
async def read_me(principal: ProfileReader, response: Response, services: Services) -> UserDetails:
    user = await services.identity.user(principal.user_id, actor=principal)
    return with_etag(response, user.version, user)


@users.patch(
    "/me",
    summary="Update your own profile",
    response_model=schemas.UserResponse,
)
@raises(identity.UserNotFound, shared.PreconditionFailed, shared.ConcurrencyConflict)
async def update_me(
    body: schemas.ProfileUpdate,
    principal: ProfileOwner,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> UserDetails:
    """Only `full_name` can be changed here; with `If-Match`, a stale version is answered 412."""
    user = await services.bus.handle(
        c.UpdateProfile(
            actor=principal, full_name=body.full_name, expected_version=expected_version(if_match)
        )
    )
    return with_etag(response, user.version, user)


@users.put(
    "/me/password",
    summary="Change your password",
    status_code=status.HTTP_204_NO_CONTENT,
)
@raises(
    identity.WrongPassword,
    identity.WeakPassword,
    shared.TooManyAttempts,
    shared.ConcurrencyConflict,
)
async def change_my_password(
    body: schemas.PasswordChange, principal: ProfileOwner, request: Request, services: Services
) -> None:
    """Ends every other session of the account; this one stays logged in. A wrong current
    password is 403 `wrong_password` and counts against the login limits."""
    await services.bus.handle(
        c.ChangePassword(actor=principal, client_ip=client_ip(request), **body.model_dump())
    )


@users.get(
    "",
    summary="List accounts (admin)",
    response_model=schemas.UserPage,
)
@raises(shared.InvalidCursor)
async def list_accounts(
    _: UserReader, services: Services, limit: PageLimit = DEFAULT_LIMIT, cursor: PageCursor = None
) -> Page[UserSummary]:
    return await services.identity.users(limit=limit, cursor=cursor)


@users.get(
    "/{user_id}",
    summary="Read an account (your own, or any as admin)",
    response_model=schemas.UserResponse,
)
@raises(identity.UserNotFound)
async def read_account(
    user_id: UUID, principal: ProfileReader, response: Response, services: Services
) -> UserDetails:
    """Another person's account is answered 404, not 403: its existence is not disclosed."""
    user = await services.identity.user(user_id, actor=principal)
    return with_etag(response, user.version, user)


@users.get(
    "/{user_id}/history",
    summary="An account's history (your own, or any as admin)",
    response_model=schemas.AccountHistoryPage,
)
@raises(identity.UserNotFound, shared.InvalidCursor)
async def read_history(
    user_id: UUID,
    principal: ProfileReader,
    services: Services,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> Page[AccountEvent]:
    """Built by the account-history projection from the event log, so it trails the write by
    the projection's lag (milliseconds when the worker runs)."""
    return await services.identity.history(user_id, actor=principal, limit=limit, cursor=cursor)


@users.put(
    "/{user_id}/roles/{role}",
    summary="Grant a role (admin)",
    response_model=schemas.UserResponse,
)
@raises(
    identity.UserNotFound,
    identity.RoleNotGrantable,
    shared.PreconditionFailed,
    shared.ConcurrencyConflict,
)
async def grant_role(
    user_id: UUID, role: Role, actor: UserManager, response: Response, services: Services
) -> UserDetails:
    user = await services.bus.handle(c.GrantRole(actor=actor, user_id=user_id, role=role))
    return with_etag(response, user.version, user)


@users.delete(
    "/{user_id}/roles/{role}",
    summary="Revoke a role (admin)",
    response_model=schemas.UserResponse,
)
@raises(
    identity.UserNotFound,
    identity.CannotChangeOwnAccess,
    shared.PreconditionFailed,
    shared.ConcurrencyConflict,
)
async def revoke_role(
    user_id: UUID, role: Role, actor: UserManager, response: Response, services: Services
) -> UserDetails:
    user = await services.bus.handle(c.RevokeRole(actor=actor, user_id=user_id, role=role))
    return with_etag(response, user.version, user)


@users.post(
    "/{user_id}/deactivate",
    summary="Deactivate an account (admin)",
    response_model=schemas.UserResponse,
)
@raises(
    identity.UserNotFound,
    identity.CannotChangeOwnAccess,
    shared.PreconditionFailed,
    shared.ConcurrencyConflict,
)
async def deactivate(
    user_id: UUID, actor: UserManager, response: Response, services: Services
) -> UserDetails:
    """The account's sessions end and its access tokens stop working immediately."""
    user = await services.bus.handle(c.DeactivateUser(actor=actor, user_id=user_id))
    return with_etag(response, user.version, user)


@users.post(
    "/{user_id}/reactivate",
    summary="Reactivate an account (admin)",
    response_model=schemas.UserResponse,
)
@raises(identity.UserNotFound, shared.PreconditionFailed, shared.ConcurrencyConflict)
async def reactivate(
    user_id: UUID, actor: UserManager, response: Response, services: Services
) -> UserDetails:
    user = await services.bus.handle(c.ReactivateUser(actor=actor, user_id=user_id))
    return with_etag(response, user.version, user)


@api_keys.post(
    "",
    summary="Create an API key (admin)",
    status_code=201,
    response_model=schemas.IssuedApiKeyResponse,
)
@raises(identity.InvalidScopes)
async def create(
    body: schemas.NewApiKey, admin: ApiKeyManager, services: Services
) -> schemas.IssuedApiKeyResponse:
    """The key is in this response only; store it now."""
    issued = await services.bus.handle(
        c.CreateApiKey(name=body.name, scopes=frozenset(body.scopes), actor_id=admin.user_id)
    )
    record = schemas.ApiKeyResponse.model_validate(issued.key).model_dump()
    return schemas.IssuedApiKeyResponse(**record, key=issued.plain)


@api_keys.get(
    "",
    summary="List API keys (admin)",
    response_model=schemas.ApiKeyList,
)
async def list_keys(_: ApiKeyManager, services: Services) -> schemas.ApiKeyList:
    return schemas.ApiKeyList.model_validate({"items": await services.identity.api_keys()})


@api_keys.delete(
    "/{key_id}",
    summary="Revoke an API key (admin)",
    response_model=schemas.ApiKeyResponse,
)
@raises(identity.ApiKeyNotFound)
async def revoke(key_id: UUID, admin: ApiKeyManager, services: Services) -> ApiKeyView:
    """Takes effect on the key's next request."""
    return await services.bus.handle(c.RevokeApiKey(key_id=key_id, actor_id=admin.user_id))
