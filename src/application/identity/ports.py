"""What the identity use cases need from the outside world; infrastructure supplies each."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from application.identity.views import (
    AccountEvent,
    AddressBookView,
    AddressView,
    ApiKeyCredential,
    ApiKeyView,
    Principal,
    UserDetails,
    UserSummary,
)
from application.shared.pagination import Page
from application.shared.unit_of_work import UnitOfWork
from domain.identity.address_book import AddressBook
from domain.identity.api_key import ApiKey
from domain.identity.session import GuestSession, LoginSession, RefreshToken, VerificationToken
from domain.identity.user import User
from domain.identity.values import EmailAddress


class PasswordHasher(Protocol):
    """Slow, salted password hashing (the adapter keeps it off the event loop)."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password: str, password_hash: str) -> tuple[bool, str | None]:
        """Whether it matches, and a new hash when the stored one uses outdated parameters."""

    async def waste_time(self, password: str) -> None:
        """Spend a verify's time on an unknown account, so timing does not reveal which exist."""


@dataclass(frozen=True)
class AccessClaims:
    """What a verified access token says."""

    user_id: UUID
    session_id: UUID
    is_guest: bool = False


@dataclass(frozen=True)
class IssuedAccessToken:
    """A signed access token and its lifetime in seconds."""

    token: str
    expires_in: int


class AccessTokens(Protocol):
    """Issues short-lived access tokens; `verify` raises NotAuthenticated for anything but a
    valid, unexpired access token of ours."""

    def issue(self, *, user_id: UUID, session_id: UUID, now: datetime) -> IssuedAccessToken: ...

    def issue_guest(
        self, *, guest_id: UUID, session_id: UUID, now: datetime, expires_at: datetime
    ) -> IssuedAccessToken:
        """A guest's token: marked as one, and living as long as its session (no refresh)."""

    def verify(self, token: str) -> AccessClaims: ...


class UserRepository(Protocol):
    """Loads and stores User aggregates."""

    async def get(self, user_id: UUID) -> User | None: ...

    async def get_by_email(self, email: EmailAddress) -> User | None: ...

    async def add(self, user: User) -> None:
        """Insert; raise EmailAlreadyRegistered if the email is taken."""

    async def save(self, user: User) -> None:
        """Update from the version it was loaded at; raise ConcurrencyConflict if it moved."""


@dataclass(frozen=True)
class Claimed:
    """The token was live and is now spent; the session may continue."""

    session_id: UUID
    user_id: UUID
    session_expires_at: datetime


@dataclass(frozen=True)
class AlreadyUsed:
    """The token was spent before: someone replayed it."""

    session_id: UUID


@dataclass(frozen=True)
class Unusable:
    """Unknown, expired, or its session was revoked."""


class SessionRepository(Protocol):
    """Login sessions and their refresh tokens."""

    async def start(self, session: LoginSession, first_token: RefreshToken) -> None: ...

    async def add_token(self, token: RefreshToken) -> None: ...

    async def claim(self, token_hash: str, *, now: datetime) -> Claimed | AlreadyUsed | Unusable:
        """Atomically spend a live token: of concurrent claims exactly one wins."""

    async def revoke(self, session_id: UUID, *, now: datetime) -> None: ...

    async def start_guest(self, session: GuestSession) -> None: ...

    async def revoke_guest(self, session_id: UUID, *, now: datetime) -> None: ...

    async def revoke_all_of(
        self, user_id: UUID, *, now: datetime, except_session: UUID | None = None
    ) -> None: ...


class ApiKeyRepository(Protocol):
    """API keys, found by id."""

    async def add(self, key: ApiKey) -> None: ...

    async def get(self, key_id: UUID) -> ApiKey | None: ...

    async def save(self, key: ApiKey) -> None: ...


class AddressBookRepository(Protocol):
    """Loads and stores AddressBook aggregates, one per customer."""

    async def get(self, user_id: UUID) -> AddressBook | None: ...

    async def save(self, book: AddressBook) -> None:
        """Insert or update from the version it was loaded at; raise ConcurrencyConflict if it
        moved (or, for a new book, if another was stored first)."""


@dataclass(frozen=True)
class Spent:
    """The verification token was live and is now used."""

    user_id: UUID
    email: str


class TokenOutcome(StrEnum):
    """Why a verification token could not be spent."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


class VerificationTokens(Protocol):
    """Email verification tokens, stored only as hashes."""

    async def issue(self, token: VerificationToken) -> None:
        """Store the token; the account's earlier unused tokens stop working."""

    async def spend(self, token_hash: str, *, now: datetime) -> Spent | TokenOutcome:
        """Atomically use a live token: of concurrent uses exactly one wins."""


class IdentityUnitOfWork(UnitOfWork, Protocol):
    """One transaction over users, sessions, API keys, address books, verification and password
    reset tokens;
    rolls back unless committed."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def api_keys(self) -> ApiKeyRepository: ...

    @property
    def address_books(self) -> AddressBookRepository: ...

    @property
    def verifications(self) -> VerificationTokens: ...

    @property
    def password_resets(self) -> VerificationTokens:
        """Password reset tokens: the same rules, a store of their own."""


class IdentityUnitOfWorkFactory(Protocol):
    """Opens a fresh unit of work for each command."""

    def __call__(self) -> IdentityUnitOfWork: ...


class LoginThrottle(Protocol):
    """Limits login attempts per client address and failed attempts per account: `check` counts
    an attempt and raises TooManyAttempts when a limit is used up. `check_registration` does
    the same for registrations per client address (each costs a password hash), and
    `check_guest` for guest sessions (each is a row)."""

    async def check(self, *, email: str, client_ip: str) -> None: ...

    async def check_registration(self, *, client_ip: str) -> None: ...

    async def check_guest(self, *, client_ip: str) -> None:
        """Count a new guest session against the client address, as registrations are."""

    async def check_password_reset(self, *, email: str) -> None:
        """Count a password reset request against the email asked for, whether or not an
        account has it (so the answer tells nothing), so nobody's inbox can be flooded."""

    async def record_failure(self, *, email: str, client_ip: str) -> None: ...


class UserDirectory(Protocol):
    """Read side of identity: DTOs straight from the tables, never aggregates."""

    async def details(self, user_id: UUID) -> UserDetails | None: ...

    async def list(self, *, limit: int, cursor: str | None) -> Page[UserSummary]: ...

    async def principal(
        self, *, user_id: UUID, session_id: UUID, now: datetime
    ) -> Principal | None:
        """The caller, if the user is active and the session is neither revoked nor expired."""

    async def guest(self, *, guest_id: UUID, session_id: UUID, now: datetime) -> Principal | None:
        """The guest, if its session is neither revoked nor expired."""

    async def history(self, user_id: UUID, *, limit: int, cursor: str | None) -> Page[AccountEvent]:
        """The account's events, oldest first, from the account-history read model."""


class AddressDirectory(Protocol):
    """Read side of address books: a customer's own addresses, never anyone else's."""

    async def book(self, user_id: UUID) -> AddressBookView: ...

    async def address(self, *, user_id: UUID, address_id: UUID) -> AddressView | None: ...


class AccountMail(Protocol):
    """Mail to account holders, queued for sending (notifications' outbox serves it); the
    link is in the mail alone, never in an event."""

    async def send_verification(self, *, email: str, link: str) -> None: ...

    async def send_password_reset(self, *, email: str, link: str) -> None: ...


class ApiKeyDirectory(Protocol):
    """Read side of API keys: the list for admins (every key, oldest first, revoked ones
    included), and the lookup a presented key needs."""

    async def all(self) -> list[ApiKeyView]: ...

    async def by_prefix(self, prefix: str) -> ApiKeyCredential | None: ...

    async def touch(self, key_id: UUID, *, now: datetime, unless_since: datetime) -> None:
        """Record a use, unless one was recorded after `unless_since`."""
