"""Identity's reads: who is calling (a person's token or a machine's key), and accounts, which a
customer sees only of their own (anyone else's is not found, never forbidden)."""

import hmac
from datetime import timedelta
from uuid import UUID

from application.identity.ports import (
    AccessTokens,
    AddressDirectory,
    ApiKeyDirectory,
    UserDirectory,
)
from application.identity.views import (
    AccountEvent,
    AddressBookView,
    AddressView,
    ApiKeyView,
    Machine,
    Principal,
    UserDetails,
    UserSummary,
)
from application.shared.clock import Clock
from application.shared.errors import NotAuthenticated
from application.shared.pagination import Page
from domain.identity.errors import AddressNotFound, UserNotFound
from domain.identity.values import Permission, secret_digest

# Recording every use of an API key would write on every request; once a minute says enough.
TOUCH_EVERY = timedelta(minutes=1)


class IdentityQueries:
    """What routes read of identity."""

    def __init__(
        self,
        *,
        users: UserDirectory,
        keys: ApiKeyDirectory,
        addresses: AddressDirectory,
        tokens: AccessTokens,
        clock: Clock,
    ) -> None:
        self._users = users
        self._addresses = addresses
        self._keys = keys
        self._tokens = tokens
        self._clock = clock

    async def authenticate(self, token: str) -> Principal:
        """A valid token of a live session of an active user, looked up each time so that
        logout, deactivation and role changes take effect at once."""
        claims = self._tokens.verify(token)
        who, session, now = claims.user_id, claims.session_id, self._clock.now()
        principal = await (
            self._users.guest(guest_id=who, session_id=session, now=now)
            if claims.is_guest
            else self._users.principal(user_id=who, session_id=session, now=now)
        )
        if principal is None:
            raise NotAuthenticated("the session has ended or the account is deactivated")
        return principal

    async def authenticate_machine(self, plain: str) -> Machine:
        """The key's holder, if the key is well-formed, known, not revoked, and its secret
        matches; the use is recorded (at most once a minute)."""
        scheme, _, rest = plain.partition("_")
        prefix, _, secret = rest.partition("_")
        found = await self._keys.by_prefix(prefix) if scheme == "agora" and prefix else None
        if not (found and secret and hmac.compare_digest(found.secret_hash, secret_digest(secret))):
            raise NotAuthenticated("the API key is not valid")
        if found.key.revoked_at is not None:
            raise NotAuthenticated("the API key was revoked")
        now = self._clock.now()
        await self._keys.touch(found.key.id, now=now, unless_since=now - TOUCH_EVERY)
        return Machine(
            key_id=found.key.id,
            name=found.key.name,
            scopes=frozenset(Permission(s) for s in found.key.scopes),
        )

    async def user(self, user_id: UUID, *, actor: Principal) -> UserDetails:
        """One account: the caller's own, or anyone's for those who may read any."""
        may_read = user_id == actor.user_id or Permission.USERS_READ_ANY in actor.permissions
        details = await self._users.details(user_id) if may_read else None
        if details is None:
            raise UserNotFound(f"user {user_id} not found")
        return details

    async def history(
        self, user_id: UUID, *, actor: Principal, limit: int, cursor: str | None
    ) -> Page[AccountEvent]:
        """An account's audit trail, under the same rule as the account itself."""
        await self.user(user_id, actor=actor)
        return await self._users.history(user_id, limit=limit, cursor=cursor)

    async def users(self, *, limit: int, cursor: str | None) -> Page[UserSummary]:
        return await self._users.list(limit=limit, cursor=cursor)

    async def api_keys(self) -> list[ApiKeyView]:
        return await self._keys.all()

    async def address_book(self, *, actor: Principal) -> AddressBookView:
        """The caller's own addresses."""
        return await self._addresses.book(actor.user_id)

    async def address(self, address_id: UUID, *, actor: Principal) -> AddressView:
        """One of the caller's addresses; anyone else's is not found."""
        found = await self._addresses.address(user_id=actor.user_id, address_id=address_id)
        if found is None:
            raise AddressNotFound(f"address {address_id} not found")
        return found
