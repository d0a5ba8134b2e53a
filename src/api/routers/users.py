"""Accounts: registration, the caller's own profile, and user administration."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Request, Response, status

from api.dependencies import (
    CurrentPrincipal,
    PageCursor,
    PageLimit,
    ProfileOwner,
    Services,
    UserManager,
    UserReader,
)
from api.etags import expected_version, with_etag
from api.problems import problem_responses
from api.schemas.identity import (
    AccountEventResponse,
    AccountHistoryPage,
    PasswordChange,
    ProfileUpdate,
    RegistrationRequest,
    UserPage,
    UserResponse,
    UserSummaryResponse,
)
from application.identity.commands import (
    ChangePassword,
    DeactivateUser,
    GrantRole,
    ReactivateUser,
    RegisterUser,
    RevokeRole,
    UpdateProfile,
)
from application.identity.queries import account_history, list_users, user_details
from application.identity.views import UserDetails
from application.shared.pagination import DEFAULT_LIMIT
from domain.identity.roles import Role

router = APIRouter(prefix="/api/v1/users", tags=["users"])


def _with_etag(response: Response, user: UserDetails) -> UserResponse:
    return with_etag(response, user.version, UserResponse.of(user))


@router.post(
    "",
    summary="Register a customer account",
    status_code=status.HTTP_201_CREATED,
    response_model=UserResponse,
    responses=problem_responses(409, 422),
)
async def register(
    body: RegistrationRequest, response: Response, services: Services
) -> UserResponse:
    user = await services.bus.handle(
        RegisterUser(email=body.email, password=body.password, full_name=body.full_name)
    )
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return _with_etag(response, user)


@router.get(
    "/me",
    summary="Read your own account",
    response_model=UserResponse,
    responses=problem_responses(401),
)
async def read_me(
    principal: CurrentPrincipal, response: Response, services: Services
) -> UserResponse:
    user = await user_details(principal.user_id, actor=principal, directory=services.users)
    return _with_etag(response, user)


@router.patch(
    "/me",
    summary="Update your own profile",
    response_model=UserResponse,
    responses=problem_responses(401, 403, 412, 422),
)
async def update_me(
    body: ProfileUpdate,
    principal: ProfileOwner,
    response: Response,
    services: Services,
    if_match: Annotated[str | None, Header(description='ETag from a read, e.g. "3"')] = None,
) -> UserResponse:
    """Only `full_name` can be changed here; with `If-Match`, a stale version is answered 412."""
    user = await services.bus.handle(
        UpdateProfile(
            actor=principal, full_name=body.full_name, expected_version=expected_version(if_match)
        )
    )
    return _with_etag(response, user)


@router.put(
    "/me/password",
    summary="Change your password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 422, 429),
)
async def change_my_password(
    body: PasswordChange, principal: ProfileOwner, request: Request, services: Services
) -> None:
    """Ends every other session of the account; this one stays logged in. A wrong current
    password is 403 `wrong_password` and counts against the login limits."""
    await services.bus.handle(
        ChangePassword(
            actor=principal,
            current_password=body.current_password,
            new_password=body.new_password,
            client_ip=request.client.host if request.client else "unknown",
        )
    )


@router.get(
    "",
    summary="List accounts (admin)",
    response_model=UserPage,
    responses=problem_responses(400, 401, 403, 422),
)
async def list_accounts(
    _: UserReader,
    services: Services,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> UserPage:
    page = await list_users(limit=limit, cursor=cursor, directory=services.users)
    return UserPage(
        items=[UserSummaryResponse.of(u) for u in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/{user_id}",
    summary="Read an account (your own, or any as admin)",
    response_model=UserResponse,
    responses=problem_responses(401, 404, 422),
)
async def read_account(
    user_id: UUID, principal: CurrentPrincipal, response: Response, services: Services
) -> UserResponse:
    """Another person's account is answered 404, not 403: its existence is not disclosed."""
    user = await user_details(user_id, actor=principal, directory=services.users)
    return _with_etag(response, user)


@router.get(
    "/{user_id}/history",
    summary="An account's history (your own, or any as admin)",
    response_model=AccountHistoryPage,
    responses=problem_responses(400, 401, 404, 422),
)
async def read_history(
    user_id: UUID,
    principal: CurrentPrincipal,
    services: Services,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> AccountHistoryPage:
    """Built by the account-history projection from the event log, so it trails the write by
    the projection's lag (milliseconds when the worker runs)."""
    page = await account_history(
        user_id, actor=principal, limit=limit, cursor=cursor, directory=services.users
    )
    return AccountHistoryPage(
        items=[AccountEventResponse.of(e) for e in page.items], next_cursor=page.next_cursor
    )


@router.put(
    "/{user_id}/roles/{role}",
    summary="Grant a role (admin)",
    response_model=UserResponse,
    responses=problem_responses(401, 403, 404, 422),
)
async def grant_role(
    user_id: UUID, role: Role, actor: UserManager, response: Response, services: Services
) -> UserResponse:
    user = await services.bus.handle(GrantRole(actor=actor, user_id=user_id, role=role))
    return _with_etag(response, user)


@router.delete(
    "/{user_id}/roles/{role}",
    summary="Revoke a role (admin)",
    response_model=UserResponse,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def revoke_role(
    user_id: UUID, role: Role, actor: UserManager, response: Response, services: Services
) -> UserResponse:
    user = await services.bus.handle(RevokeRole(actor=actor, user_id=user_id, role=role))
    return _with_etag(response, user)


@router.post(
    "/{user_id}/deactivate",
    summary="Deactivate an account (admin)",
    response_model=UserResponse,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def deactivate(
    user_id: UUID, actor: UserManager, response: Response, services: Services
) -> UserResponse:
    """The account's sessions end and its access tokens stop working immediately."""
    user = await services.bus.handle(DeactivateUser(actor=actor, user_id=user_id))
    return _with_etag(response, user)


@router.post(
    "/{user_id}/reactivate",
    summary="Reactivate an account (admin)",
    response_model=UserResponse,
    responses=problem_responses(401, 403, 404, 422),
)
async def reactivate(
    user_id: UUID, actor: UserManager, response: Response, services: Services
) -> UserResponse:
    user = await services.bus.handle(ReactivateUser(actor=actor, user_id=user_id))
    return _with_etag(response, user)
