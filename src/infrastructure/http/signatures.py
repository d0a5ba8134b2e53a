"""HMAC-SHA256 request signatures, `t=<unix seconds>,v1=<hex>` over `<t>.<raw body>`, for both
directions: the payment provider's callbacks to us, and our webhooks to subscribers. The
timestamp bounds replays; comparison is constant-time."""

import hashlib
import hmac
from datetime import datetime, timedelta

from application.shared.errors import InvalidSignature


def sign(secret: str, body: bytes, *, at: datetime) -> str:
    """The `Agora-Signature` header value for this body at this time."""
    timestamp = int(at.timestamp())
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify(
    secret: str, body: bytes, header: str | None, *, now: datetime, tolerance: timedelta
) -> None:
    """Raise InvalidSignature unless `header` signs `body` with `secret`, recently enough."""
    if not header:
        raise InvalidSignature("the Agora-Signature header is missing")
    if not header.isascii():  # a digest is hex; and compare_digest refuses non-ASCII text
        raise InvalidSignature("the signature header is not `t=<seconds>,v1=<hex>`")
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp, signature = parts.get("t", ""), parts.get("v1", "")
    if not (timestamp.isdecimal() and len(timestamp) <= 12) or not signature:
        raise InvalidSignature("the signature header is not `t=<seconds>,v1=<hex>`")
    age = abs(now.timestamp() - int(timestamp))
    if age > tolerance.total_seconds():
        raise InvalidSignature(
            f"the signature is {int(age)} s old; at most {tolerance} is accepted"
        )
    if not hmac.compare_digest(_digest(secret, int(timestamp), body), signature):
        raise InvalidSignature("the signature does not match the body")


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
