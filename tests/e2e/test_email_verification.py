"""Email verification over HTTP: the account holder asks for a link (written to the log by the
default mail adapter), the token verifies once, `/users/me` then says so; a reused token is 400
and an expired one 410, each with a stable code and no account named."""

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from domain.identity.values import Role
from tests.support.fakes.shared import FixedClock
from tests.support.settings import settings_for
from tests.support.shop import Shop, bearer, running_app

MAIL_LOGGER = "infrastructure.identity.mail"


def token_in_log(caplog: pytest.LogCaptureFixture) -> str:
    [record] = [r for r in caplog.records if r.name == MAIL_LOGGER]
    link: str = getattr(record, "mail_link")  # noqa: B009 - an `extra` of the record
    return link.rsplit("token=", 1)[1]


async def request_link(shop: Shop, token: str, caplog: pytest.LogCaptureFixture) -> str:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=MAIL_LOGGER):
        sent = await shop.client.post("/api/v1/users/me/email-verification", headers=bearer(token))
    assert sent.status_code == 202, sent.text
    assert sent.json()["email"] == "ada@example.com"
    return token_in_log(caplog)


async def test_a_link_verifies_the_email_once(shop: Shop, caplog: pytest.LogCaptureFixture) -> None:
    token = await shop.account("ada@example.com", Role.CUSTOMER)
    me = await shop.client.get("/api/v1/users/me", headers=bearer(token))
    assert me.json()["email_verified"] is False

    proof = await request_link(shop, token, caplog)
    verified = await shop.client.post("/api/v1/auth/verify-email", json={"token": proof})
    assert verified.status_code == 204, verified.text
    me = await shop.client.get("/api/v1/users/me", headers=bearer(token))
    assert me.json()["email_verified"] is True
    assert me.json()["email_verified_at"] is not None

    reused = await shop.client.post("/api/v1/auth/verify-email", json={"token": proof})
    assert (reused.status_code, reused.json()["code"]) == (400, "verification_token_used")
    assert "ada" not in reused.text
    again = await shop.client.post("/api/v1/users/me/email-verification", headers=bearer(token))
    assert (again.status_code, again.json()["code"]) == (409, "email_already_verified")


async def test_an_unknown_token_is_refused_without_naming_an_account(shop: Shop) -> None:
    refused = await shop.client.post("/api/v1/auth/verify-email", json={"token": "made-up"})
    assert (refused.status_code, refused.json()["code"]) == (400, "verification_token_invalid")


@pytest.fixture
async def clocked_shop(
    database_url: str, redis_url: str, redis_prefix: str
) -> AsyncIterator[tuple[Shop, FixedClock]]:
    """A shop on a clock the test moves (starting now, so access tokens are valid)."""
    clock = FixedClock(datetime.now(UTC))
    settings = settings_for(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        verification_token_minutes=30,
    )
    async with running_app(settings, clock=clock) as (app, client):
        yield Shop(app=app, client=client, settings=settings), clock


async def test_an_expired_link_is_gone(
    clocked_shop: tuple[Shop, FixedClock], caplog: pytest.LogCaptureFixture
) -> None:
    shop, clock = clocked_shop
    token = await shop.account("ada@example.com", Role.CUSTOMER)
    proof = await request_link(shop, token, caplog)
    clock.advance(timedelta(minutes=30))
    expired = await shop.client.post("/api/v1/auth/verify-email", json={"token": proof})
    assert (expired.status_code, expired.json()["code"]) == (410, "verification_token_expired")
    me = await shop.client.get("/api/v1/users/me", headers=bearer(token))
    assert me.json()["email_verified"] is False
