"""Access tokens: short-lived JWTs (python-jose, cryptography backend), checked strictly. A
guest's token carries `gst` and lives as long as its guest session."""

import uuid
from datetime import datetime, timedelta
from uuid import UUID

from jose import JWTError, jwt

from application.identity.ports import AccessClaims, IssuedAccessToken
from application.shared.errors import NotAuthenticated

# An allowlist, never the token's own header: this is what defeats `alg: none` and
# algorithm-confusion attacks.
ALLOWED_ALGORITHMS = ("HS256",)
ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a secret
_REQUIRED = ("exp", "iat", "iss", "aud", "sub")


class JwtAccessTokens:
    """Signs with one HMAC secret; verifies signature, expiry, issuer, audience and type."""

    def __init__(self, *, secret: str, issuer: str, audience: str, lifetime: timedelta) -> None:
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self._lifetime = lifetime

    def issue(self, *, user_id: UUID, session_id: UUID, now: datetime) -> IssuedAccessToken:
        return self._signed(user_id, session_id, now=now, expires_at=now + self._lifetime)

    def issue_guest(
        self, *, guest_id: UUID, session_id: UUID, now: datetime, expires_at: datetime
    ) -> IssuedAccessToken:
        # Long-lived, because a guest has no refresh token; safe, because every request still
        # looks its session up, so ending the session ends the token at once.
        return self._signed(guest_id, session_id, now=now, expires_at=expires_at, guest=True)

    def _signed(
        self,
        subject: UUID,
        session_id: UUID,
        *,
        now: datetime,
        expires_at: datetime,
        guest: bool = False,
    ) -> IssuedAccessToken:
        claims: dict[str, object] = {
            "sub": str(subject),
            "sid": str(session_id),
            "typ": ACCESS_TOKEN_TYPE,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "jti": uuid.uuid4().hex,
        }
        if guest:
            claims["gst"] = True
        token = jwt.encode(claims, self._secret, algorithm=ALLOWED_ALGORITHMS[0])
        return IssuedAccessToken(token=token, expires_in=int((expires_at - now).total_seconds()))

    def verify(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=list(ALLOWED_ALGORITHMS),
                audience=self._audience,
                issuer=self._issuer,
                options={f"require_{claim}": True for claim in _REQUIRED},
            )
            if claims.get("typ") != ACCESS_TOKEN_TYPE:
                raise NotAuthenticated("this is not an access token")
            return AccessClaims(
                user_id=UUID(claims["sub"]),
                session_id=UUID(claims["sid"]),
                is_guest=claims.get("gst") is True,
            )
        except (JWTError, KeyError, ValueError, TypeError, AttributeError):
            raise NotAuthenticated("the access token is invalid or expired") from None
