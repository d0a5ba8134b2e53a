"""In-memory fakes of the identity ports, for handler tests that run in milliseconds. Each is
held to its port by `tests/contracts`."""

import copy
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from application.identity.deps import IdentityDeps
from application.identity.ports import (
    AccessClaims,
    AccessTokens,
    AccountMail,
    AddressBookRepository,
    AlreadyUsed,
    ApiKeyRepository,
    Claimed,
    IssuedAccessToken,
    LoginThrottle,
    PasswordHasher,
    SessionRepository,
    Spent,
    TokenOutcome,
    Unusable,
    UserRepository,
    VerificationTokens,
)
from application.shared.errors import ConcurrencyConflict, NotAuthenticated, TooManyAttempts
from domain.identity.address_book import AddressBook
from domain.identity.api_key import ApiKey
from domain.identity.errors import EmailAlreadyRegistered
from domain.identity.session import GuestSession, LoginSession, RefreshToken, VerificationToken
from domain.identity.user import User
from domain.identity.values import EmailAddress
from tests.support.fakes.shared import FakeStore, FakeUnitOfWork, FixedClock

# A stand-in for the breach list the composition root provides.
COMMON_PASSWORDS = frozenset({"password1234", "qwerty123456"})


@dataclass
class StoredSession:
    session: LoginSession
    revoked_at: datetime | None = None


@dataclass
class Store(FakeStore):
    """Identity's tables."""

    users: dict[UUID, User] = field(default_factory=dict)
    sessions: dict[UUID, StoredSession] = field(default_factory=dict)
    tokens: dict[str, tuple[RefreshToken, datetime | None]] = field(default_factory=dict)
    api_keys: dict[UUID, ApiKey] = field(default_factory=dict)
    guest_sessions: dict[UUID, tuple[GuestSession, datetime | None]] = field(default_factory=dict)
    address_books: dict[UUID, AddressBook] = field(default_factory=dict)
    verifications: dict[str, tuple[VerificationToken, datetime | None]] = field(
        default_factory=dict
    )
    password_resets: dict[str, tuple[VerificationToken, datetime | None]] = field(
        default_factory=dict
    )


class FakeUsers(UserRepository):
    """The UserRepository port."""

    def __init__(self, store: Store, uow: "FakeIdentityUnitOfWork") -> None:
        self.store = store
        self._uow = uow
        self._written: set[UUID] = set()

    async def get(self, user_id: UUID) -> User | None:
        user = self.store.users.get(user_id)
        return None if user is None else self._seen(copy.deepcopy(user))

    async def get_by_email(self, email: EmailAddress) -> User | None:
        found = [u for u in self.store.users.values() if u.email == email]
        return self._seen(copy.deepcopy(found[0])) if found else None

    async def add(self, user: User) -> None:
        if any(u.email == user.email for u in self.store.users.values()):
            raise EmailAlreadyRegistered(f"{user.email} is already registered")
        self.store.users[user.id] = copy.deepcopy(user)
        self._written.add(user.id)
        self._seen(user)

    async def save(self, user: User) -> None:
        # As the UPDATE's version check sees it: this transaction's own write, else the latest
        # committed row (a rival's commit since this one loaded the user included).
        current = (self.store if user.id in self._written else self._uow.committed_store).users
        if current[user.id].version != user.version:
            raise ConcurrencyConflict(f"user {user.id} was changed concurrently; try again")
        user.version += 1
        self.store.users[user.id] = copy.deepcopy(user)
        self._written.add(user.id)

    def _seen(self, user: User) -> User:
        return self._uow.seen(user)


class FakeSessions(SessionRepository):
    """The SessionRepository port."""

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
        stored = self.store.sessions.get(session_id)
        if stored is not None and stored.revoked_at is None:
            stored.revoked_at = now

    async def revoke_all_of(
        self, user_id: UUID, *, now: datetime, except_session: UUID | None = None
    ) -> None:
        for sid, stored in self.store.sessions.items():
            if stored.session.user_id == user_id and sid != except_session:
                stored.revoked_at = stored.revoked_at or now

    async def start_guest(self, session: GuestSession) -> None:
        self.store.guest_sessions[session.id] = (session, None)

    async def revoke_guest(self, session_id: UUID, *, now: datetime) -> None:
        if session_id in self.store.guest_sessions:
            session, revoked_at = self.store.guest_sessions[session_id]
            self.store.guest_sessions[session_id] = (session, revoked_at or now)

    def live_sessions_of(self, user_id: UUID) -> list[UUID]:
        return [
            sid
            for sid, s in self.store.sessions.items()
            if s.session.user_id == user_id and s.revoked_at is None
        ]


class FakeApiKeys(ApiKeyRepository):
    """The ApiKeyRepository port."""

    def __init__(self, store: Store, uow: "FakeIdentityUnitOfWork") -> None:
        self.store = store
        self._uow = uow

    async def add(self, key: ApiKey) -> None:
        self.store.api_keys[key.id] = copy.deepcopy(key)
        self._uow.seen(key)

    async def get(self, key_id: UUID) -> ApiKey | None:
        key = self.store.api_keys.get(key_id)
        return None if key is None else self._uow.seen(copy.deepcopy(key))

    async def save(self, key: ApiKey) -> None:
        self.store.api_keys[key.id] = copy.deepcopy(key)


class FakeAddressBooks(AddressBookRepository):
    """The AddressBookRepository port, with the book's version check."""

    def __init__(self, store: Store, uow: "FakeIdentityUnitOfWork") -> None:
        self.store = store
        self._uow = uow
        self._written: set[UUID] = set()

    async def get(self, user_id: UUID) -> AddressBook | None:
        book = self.store.address_books.get(user_id)
        return None if book is None else self._uow.seen(copy.deepcopy(book))

    async def save(self, book: AddressBook) -> None:
        # As the SQL version check sees it: this transaction's own write, else the latest commit.
        tables = self.store if book.user_id in self._written else self._uow.committed_store
        stored = tables.address_books.get(book.user_id)
        if (0 if stored is None else stored.version) != book.version:
            raise ConcurrencyConflict("the address book was changed concurrently; try again")
        book.version += 1
        self.store.address_books[book.user_id] = copy.deepcopy(book)
        self._written.add(book.user_id)
        self._uow.seen(book)


class FakeVerifications(VerificationTokens):
    """The VerificationTokens port (over the store's verification or password reset tokens)."""

    def __init__(self, store: Store, kind: str = "verifications") -> None:
        self.store = store
        self.tokens: dict[str, tuple[VerificationToken, datetime | None]] = getattr(store, kind)

    async def issue(self, token: VerificationToken) -> None:
        for digest, (held, used_at) in list(self.tokens.items()):
            if held.user_id == token.user_id and used_at is None:
                del self.tokens[digest]
        self.tokens[token.token_hash] = (token, None)

    async def spend(self, token_hash: str, *, now: datetime) -> Spent | TokenOutcome:
        if token_hash not in self.tokens:
            return TokenOutcome.UNKNOWN
        token, used_at = self.tokens[token_hash]
        if used_at is not None:
            return TokenOutcome.USED
        if token.expires_at <= now:
            return TokenOutcome.EXPIRED
        self.tokens[token_hash] = (token, now)
        return Spent(user_id=token.user_id, email=token.email)


class FakeIdentityUnitOfWork(FakeUnitOfWork[Store]):
    """The IdentityUnitOfWork port over a Store."""

    users: FakeUsers
    sessions: FakeSessions
    api_keys: FakeApiKeys
    address_books: FakeAddressBooks
    verifications: FakeVerifications
    password_resets: FakeVerifications

    def _open(self) -> None:
        self.users = FakeUsers(self.working, self)
        self.sessions = FakeSessions(self.working)
        self.api_keys = FakeApiKeys(self.working, self)
        self.address_books = FakeAddressBooks(self.working, self)
        self.verifications = FakeVerifications(self.working)
        self.password_resets = FakeVerifications(self.working, "password_resets")


class FakeHasher(PasswordHasher):
    """The PasswordHasher port: reversible 'hashing' that records which parameters made each
    hash."""

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


class FakeTokens(AccessTokens):
    """The AccessTokens port: readable tokens, refused like the real ones when malformed."""

    def issue(self, *, user_id: UUID, session_id: UUID, now: datetime) -> IssuedAccessToken:
        return IssuedAccessToken(token=f"{user_id}|{session_id}", expires_in=900)

    def issue_guest(
        self, *, guest_id: UUID, session_id: UUID, now: datetime, expires_at: datetime
    ) -> IssuedAccessToken:
        lifetime = int((expires_at - now).total_seconds())
        return IssuedAccessToken(token=f"{guest_id}|{session_id}|guest", expires_in=lifetime)

    def verify(self, token: str) -> AccessClaims:
        try:
            user_id, session_id, *guest = token.split("|")
            return AccessClaims(
                user_id=UUID(user_id), session_id=UUID(session_id), is_guest=guest == ["guest"]
            )
        except ValueError:
            raise NotAuthenticated("the access token is invalid or expired") from None


class FakeThrottle(LoginThrottle):
    """The LoginThrottle port: a few failures per account, then TooManyAttempts."""

    def __init__(self, max_failures: int = 3) -> None:
        self.failures: dict[str, int] = {}
        self.max_failures = max_failures
        self.registrations: dict[str, int] = {}
        self.guests: dict[str, int] = {}
        self.max_guests = 1000
        self.resets: dict[str, int] = {}
        self.max_resets = 1000

    async def check(self, *, email: str, client_ip: str) -> None:
        if self.failures.get(email.lower(), 0) >= self.max_failures:
            raise TooManyAttempts("too many login attempts; try again later", retry_after=60)

    async def check_registration(self, *, client_ip: str) -> None:
        self.registrations[client_ip] = self.registrations.get(client_ip, 0) + 1

    async def check_guest(self, *, client_ip: str) -> None:
        self.guests[client_ip] = self.guests.get(client_ip, 0) + 1
        if self.guests[client_ip] > self.max_guests:
            raise TooManyAttempts("too many guest sessions; try again later", retry_after=60)

    async def check_password_reset(self, *, email: str) -> None:
        self.resets[email.lower()] = self.resets.get(email.lower(), 0) + 1
        if self.resets[email.lower()] > self.max_resets:
            raise TooManyAttempts("too many password reset requests", retry_after=60)

    async def record_failure(self, *, email: str, client_ip: str) -> None:
        self.failures[email.lower()] = self.failures.get(email.lower(), 0) + 1


class FakeMail(AccountMail):
    """The AccountMail port: an outbox a test reads."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.resets: list[tuple[str, str]] = []

    async def send_verification(self, *, email: str, link: str) -> None:
        self.sent.append((email, link))

    async def send_password_reset(self, *, email: str, link: str) -> None:
        self.resets.append((email, link))

    def last_token(self) -> str:
        return self.sent[-1][1].rsplit("token=", 1)[1]


def identity_deps(store: Store | None = None, **overrides: Any) -> IdentityDeps:
    """Identity's dependencies on fakes; keyword arguments replace any of them."""
    store = store or Store()
    deps = IdentityDeps(
        uow=lambda: FakeIdentityUnitOfWork(store),
        hasher=FakeHasher(),
        tokens=FakeTokens(),
        throttle=FakeThrottle(),
        clock=FixedClock(),
        session_lifetime=timedelta(days=14),
        common_passwords=COMMON_PASSWORDS,
        mail=FakeMail(),
        guest_lifetime=timedelta(hours=24),
        verification_lifetime=timedelta(hours=24),
        verification_link="https://shop.example/verify-email",
    )
    return replace(deps, **overrides)


def new_id() -> UUID:
    return uuid.uuid4()
