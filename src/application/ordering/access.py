"""Guest orders' access tokens: a random secret handed out once at checkout, kept only as its
hash, that opens one order (and its live updates) without logging in (ADR 0036)."""

import hashlib
import hmac
import secrets


def new_access_token() -> str:
    return secrets.token_urlsafe(32)


def access_token_hash(token: str) -> str:
    """How a token is stored: SHA-256, hex. It is random and long, so no slow hash is needed
    (nobody can guess one to try it against a leaked hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def opens(stored_hash: str | None, token: str) -> bool:
    """Whether `token` is the one whose hash was stored, compared in constant time."""
    return stored_hash is not None and hmac.compare_digest(stored_hash, access_token_hash(token))
