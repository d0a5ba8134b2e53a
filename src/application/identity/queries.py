"""Identity queries: read DTOs through the UserDirectory port, with ownership checked here."""

from datetime import datetime
from uuid import UUID

from application.identity.ports import AccessTokens, UserDirectory
from application.identity.views import AccountEvent, Principal, UserDetails, UserSummary
from application.shared.errors import NotAuthenticated
from application.shared.pagination import Page
from domain.identity.errors import UserNotFound
from domain.identity.roles import Permission


async def authenticate(
    token: str, *, tokens: AccessTokens, directory: UserDirectory, now: datetime
) -> Principal:
    """Who is calling: a valid token of a live session of an active user, looked up each time
    so that logout, deactivation and role changes take effect at once."""
    claims = tokens.verify(token)
    principal = await directory.principal(
        user_id=claims.user_id, session_id=claims.session_id, now=now
    )
    if principal is None:
        raise NotAuthenticated("the session has ended or the account is deactivated")
    return principal


async def user_details(user_id: UUID, *, actor: Principal, directory: UserDirectory) -> UserDetails:
    """One account; another customer's id is answered as not found, never as forbidden."""
    if user_id != actor.user_id and Permission.USERS_READ_ANY not in actor.permissions:
        raise UserNotFound(f"user {user_id} not found")
    details = await directory.details(user_id)
    if details is None:
        raise UserNotFound(f"user {user_id} not found")
    return details


async def account_history(
    user_id: UUID, *, actor: Principal, limit: int, cursor: str | None, directory: UserDirectory
) -> Page[AccountEvent]:
    """An account's audit trail: the account holder's own, or any account's for admins."""
    await user_details(user_id, actor=actor, directory=directory)
    return await directory.history(user_id, limit=limit, cursor=cursor)


async def list_users(
    *, limit: int, cursor: str | None, directory: UserDirectory
) -> Page[UserSummary]:
    return await directory.list(limit=limit, cursor=cursor)
