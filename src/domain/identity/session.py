"""A login session is a family of refresh tokens: each use rotates the token within the family.
A guest session has no family: one access token, as long-lived as the session. An email
verification token proves, once, that the account holder reads mail at the address."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, kw_only=True)
class LoginSession:
    """One login on one device; revoking it ends every token descended from that login."""

    id: UUID
    user_id: UUID
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class RefreshToken:
    """One link of the family, stored only as a hash; usable once, before it expires."""

    id: UUID
    session_id: UUID
    token_hash: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class GuestSession:
    """A shopper without an account: a new id, alive until it expires or logs out."""

    id: UUID
    guest_id: UUID
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class VerificationToken:
    """Sent to `email` as a link, stored only as a hash; usable once, before it expires."""

    id: UUID
    user_id: UUID
    email: str
    token_hash: str
    issued_at: datetime
    expires_at: datetime
