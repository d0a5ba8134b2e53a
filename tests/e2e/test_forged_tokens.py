"""Every way of forging or misusing a token is answered 401, with nothing revealed."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from jose import jwt

from tests.support.settings import TEST_JWT_SECRET
from tests.support.shop import Shop, bearer


def _claims(user_id: str, session_id: str, **overrides: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": user_id,
        "sid": session_id,
        "typ": "access",
        "iss": "agora",
        "aud": "agora-api",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _sign(claims: dict[str, object], key: str = TEST_JWT_SECRET) -> str:
    return jwt.encode(claims, key, algorithm="HS256")


def _forge(kind: str, user_id: str, session_id: str, refresh: str, genuine: str) -> str:
    past = int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())
    match kind:
        case "alg_none":
            return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(user_id, session_id))}."
        case "wrong_key":
            return _sign(_claims(user_id, session_id), "another-secret-another-secret-1234")
        case "expired":
            return _sign(_claims(user_id, session_id, exp=past))
        case "wrong_audience":
            return _sign(_claims(user_id, session_id, aud="someone-else"))
        case "wrong_issuer":
            return _sign(_claims(user_id, session_id, iss="evil"))
        case "missing_exp":
            return _sign(_claims(user_id, session_id, exp=None))
        case "not_an_access_token":
            return _sign(_claims(user_id, session_id, typ="refresh"))
        case "refresh_token_as_access":
            return refresh
        case "tampered_payload":
            header, _, signature = genuine.split(".")
            return f"{header}.{_b64(_claims(user_id, session_id, sub=user_id[::-1]))}.{signature}"
        case "hs512_with_our_key":
            return jwt.encode(_claims(user_id, session_id), TEST_JWT_SECRET, algorithm="HS512")
        case "garbage":
            return "not.a.jwt"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "alg_none",
        "wrong_key",
        "expired",
        "wrong_audience",
        "wrong_issuer",
        "missing_exp",
        "not_an_access_token",
        "refresh_token_as_access",
        "tampered_payload",
        "hs512_with_our_key",
        "garbage",
    ],
)
async def test_forged_token_is_refused(shop: Shop, kind: str) -> None:
    await shop.register("victim@example.com")
    pair = (await shop.log_in("victim@example.com")).json()
    genuine = pair["access_token"]
    claims = jwt.get_unverified_claims(genuine)
    ok = await shop.client.get("/api/v1/users/me", headers=bearer(genuine))
    assert ok.status_code == 200  # the genuine token works, so a 401 below is the forgery's

    token = _forge(kind, claims["sub"], claims["sid"], pair["refresh_token"], genuine)
    response = await shop.client.get("/api/v1/users/me", headers=bearer(token))

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "not_authenticated"


async def test_missing_and_malformed_authorization_headers_are_401(shop: Shop) -> None:
    for headers in ({}, {"Authorization": "Basic YTpi"}, {"Authorization": "Bearer"}):
        response = await shop.client.get("/api/v1/users/me", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["content-type"] == "application/problem+json"


async def test_a_guest_claim_never_crosses_between_guest_and_login_sessions(shop: Shop) -> None:
    """Even signed with our key: a login session is no guest session, and a guest session is
    no login session, so the claim cannot turn one into the other."""
    await shop.register("victim@example.com")
    customer = jwt.get_unverified_claims(
        (await shop.log_in("victim@example.com")).json()["access_token"]
    )
    guest = jwt.get_unverified_claims(
        (await shop.client.post("/api/v1/auth/guest")).json()["access_token"]
    )
    assert guest["gst"] is True

    for claims in (
        _claims(customer["sub"], customer["sid"], gst=True),
        _claims(guest["sub"], guest["sid"]),
    ):
        response = await shop.client.get("/api/v1/cart", headers=bearer(_sign(claims)))
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    genuine_guest = _sign(_claims(guest["sub"], guest["sid"], gst=True))
    assert (await shop.client.get("/api/v1/cart", headers=bearer(genuine_guest))).status_code == 200
