"""In-memory fakes of the identity ports, for handler tests that run in milliseconds."""

import copy
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self
from uuid import UUID

from application.identity.dependencies import IdentityDeps
from application.identity.ports import (
    AccessClaims,
    AlreadyUsed,
    Claimed,
    IssuedAccessToken,
    Unusable,
)
from application.shared.errors import ConcurrencyConflict, NotAuthenticated, TooManyAttempts
from domain.identity.email import EmailAddress
from domain.identity.errors import EmailAlreadyRegistered
from domain.identity.session import LoginSession, RefreshToken
from domain.identity.user import User


class FixedClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@dataclass
class StoredSession:
    session: LoginSession
    revoked_at: datetime | None = None


@dataclass
class Store:
    """What the fake 'database' holds; a unit of work copies it and writes back on commit."""

    users: dict[UUID, User] = field(default_factory=dict)
    sessions: dict[UUID, StoredSession] = field(default_factory=dict)
    tokens: dict[str, tuple[RefreshToken, datetime | None]] = field(default_factory=dict)
    commits: int = 0


class FakeUsers:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, user_id: UUID) -> User | None:
        user = self.store.users.get(user_id)
        return copy.deepcopy(user) if user else None

    async def get_by_email(self, email: EmailAddress) -> User | None:
        found = [u for u in self.store.users.values() if u.email == email]
        return copy.deepcopy(found[0]) if found else None

    async def add(self, user: User) -> None:
        if await self.get_by_email(user.email):
            raise EmailAlreadyRegistered(str(user.email))
        self.store.users[user.id] = copy.deepcopy(user)

    async def save(self, user: User) -> None:
        if self.store.users[user.id].version != user.version:
            raise ConcurrencyConflict("moved")
        user.version += 1
        self.store.users[user.id] = copy.deepcopy(user)


class FakeSessions:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def start(self, session: LoginSession, first_token: RefreshToken) -> None:
        self.store.sessions[session.id] = StoredSession(session)
        await self.add_token(first_token)

    async def add_token(self, token: RefreshToken) -> None:
        self.store.tokens[token.token_hash] = (token, None)

    async def claim(self, token_hash: str, *, now: datetime) -> Claimed | AlreadyUsed | Unusable:
        if token_hash not in self.store.tokens:
            return Unusable()
        token, used_at = self.store.tokens[token_hash]
        if used_at is not None:
            return AlreadyUsed(session_id=token.session_id)
        stored = self.store.sessions[token.session_id]
        if stored.revoked_at is not None or token.expires_at <= now:
            return Unusable()
        self.store.tokens[token_hash] = (token, now)
        return Claimed(
            session_id=token.session_id,
            user_id=stored.session.user_id,
            session_expires_at=stored.session.expires_at,
        )

    async def revoke(self, session_id: UUID, *, now: datetime) -> None:
        self.store.sessions[session_id].revoked_at = now

    async def revoke_all_of(
        self, user_id: UUID, *, now: datetime, except_session: UUID | None = None
    ) -> None:
        for sid, stored in self.store.sessions.items():
            if stored.session.user_id == user_id and sid != except_session:
                stored.revoked_at = stored.revoked_at or now

    def live_sessions_of(self, user_id: UUID) -> list[UUID]:
        return [
            sid
            for sid, s in self.store.sessions.items()
            if s.session.user_id == user_id and s.revoked_at is None
        ]


class FakeUnitOfWork:
    """Works on a copy of the store; only `commit()` makes changes visible."""

    def __init__(self, store: Store) -> None:
        self.committed_store = store

    async def __aenter__(self) -> Self:
        self.working = copy.deepcopy(self.committed_store)
        self.users = FakeUsers(self.working)
        self.sessions = FakeSessions(self.working)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        commits = self.committed_store.commits + 1
        self.committed_store.__dict__.update(copy.deepcopy(self.working).__dict__)
        self.committed_store.commits = commits


class FakeHasher:
    """Reversible 'hashing' that still records which parameters made each hash."""

    def __init__(self, version: str = "v2") -> None:
        self.version = version

    async def hash(self, password: str) -> str:
        return f"{self.version}:{password}"

    async def verify(self, password: str, password_hash: str) -> tuple[bool, str | None]:
        version, _, stored = password_hash.partition(":")
        if stored != password:
            return False, None
        return True, (None if version == self.version else await self.hash(password))

    async def waste_time(self, password: str) -> None:
        return None


class FakeTokens:
    def issue(self, *, user_id: UUID, session_id: UUID, now: datetime) -> IssuedAccessToken:
        return IssuedAccessToken(token=f"{user_id}|{session_id}", expires_in=900)

    def verify(self, token: str) -> AccessClaims:
        try:
            user_id, session_id = token.split("|")
            return AccessClaims(user_id=UUID(user_id), session_id=UUID(session_id))
        except ValueError:
            raise NotAuthenticated("bad token") from None


class FakeThrottle:
    def __init__(self, max_failures: int = 3) -> None:
        self.failures: dict[str, int] = {}
        self.max_failures = max_failures

    async def check(self, *, email: str, client_ip: str) -> None:
        if self.failures.get(email.lower(), 0) >= self.max_failures:
            raise TooManyAttempts("slow down", retry_after=60)

    async def record_failure(self, *, email: str, client_ip: str) -> None:
        self.failures[email.lower()] = self.failures.get(email.lower(), 0) + 1


def identity_deps(store: Store | None = None, **overrides: object) -> IdentityDeps:
    store = store or Store()
    deps = IdentityDeps(
        uow=lambda: FakeUnitOfWork(store),
        hasher=FakeHasher(),
        tokens=FakeTokens(),
        throttle=FakeThrottle(),
        clock=FixedClock(),
        session_lifetime=timedelta(days=14),
    )
    return replace(deps, **overrides)  # type: ignore[arg-type]


def new_id() -> UUID:
    return uuid.uuid4()
