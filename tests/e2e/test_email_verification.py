"""Email verification over HTTP: the account holder asks for a link, which arrives by mail
(a real SMTP server), the token verifies once, `/users/me` then says so; a reused token is 400
and an expired one 410, each with a stable code and no account named."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from domain.identity.values import Role
from tests.support.fakes.shared import FixedClock
from tests.support.mail import Inbox, MailShopFactory, mail_to, token_in
from tests.support.shop import Shop, bearer

EMAIL = "ada@example.com"


@pytest.fixture
async def mail_shop(mail_shop_factory: MailShopFactory) -> AsyncIterator[Shop]:
    async with mail_shop_factory() as running:
        yield running


async def request_link(shop: Shop, token: str, inbox: Inbox, count: int = 1) -> str:
    sent = await shop.client.post("/api/v1/users/me/email-verification", headers=bearer(token))
    assert sent.status_code == 202, sent.text
    assert sent.json()["email"] == EMAIL
    mail = await mail_to(shop, inbox, EMAIL, count)
    assert mail["Subject"] == "Confirm your email address"
    return token_in(mail)


async def test_a_link_verifies_the_email_once(mail_shop: Shop, inbox: Inbox) -> None:
    shop = mail_shop
    token = await shop.account(EMAIL, Role.CUSTOMER)
    me = await shop.client.get("/api/v1/users/me", headers=bearer(token))
    assert me.json()["email_verified"] is False

    proof = await request_link(shop, token, inbox)
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
    mail_shop_factory: MailShopFactory,
) -> AsyncIterator[tuple[Shop, FixedClock]]:
    """A shop on a clock the test moves (starting now, so access tokens are valid)."""
    clock = FixedClock(datetime.now(UTC))
    async with mail_shop_factory(clock=clock, verification_token_minutes=30) as shop:
        yield shop, clock


async def test_an_expired_link_is_gone(clocked_shop: tuple[Shop, FixedClock], inbox: Inbox) -> None:
    shop, clock = clocked_shop
    token = await shop.account(EMAIL, Role.CUSTOMER)
    proof = await request_link(shop, token, inbox)
    clock.advance(timedelta(minutes=30))
    expired = await shop.client.post("/api/v1/auth/verify-email", json={"token": proof})
    assert (expired.status_code, expired.json()["code"]) == (410, "verification_token_expired")
    me = await shop.client.get("/api/v1/users/me", headers=bearer(token))
    assert me.json()["email_verified"] is False
