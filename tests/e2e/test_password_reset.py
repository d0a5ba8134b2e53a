"""Password reset over HTTP, its link by mail (a real SMTP server): asking answers the same for
any email and mails only an account's; the token sets a new password once and ends every
login; a used, unknown or expired token is refused with a stable code and changes nothing."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.notifications.tables import outgoing_mail
from tests.support.fakes.shared import FixedClock
from tests.support.mail import Inbox, MailShopFactory, mail_to, token_in
from tests.support.shop import PASSWORD, Shop, bearer

EMAIL = "grace@example.com"
NEW_PASSWORD = "a-brand-new-passphrase-42"
RESET = "/api/v1/auth/password-reset"


@pytest.fixture
async def mail_shop(mail_shop_factory: MailShopFactory) -> AsyncIterator[Shop]:
    async with mail_shop_factory() as running:
        assert (await running.register(EMAIL)).status_code == 201
        yield running


async def reset_token(shop: Shop, inbox: Inbox, count: int = 1) -> str:
    asked = await shop.client.post(RESET, json={"email": EMAIL})
    assert asked.status_code == 202, asked.text
    mail = await mail_to(shop, inbox, EMAIL, count)
    assert mail["Subject"] == "Reset your password"
    return token_in(mail)


async def test_asking_answers_the_same_for_any_email_and_mails_only_an_account(
    mail_shop: Shop, inbox: Inbox, engine: AsyncEngine
) -> None:
    shop = mail_shop
    known = await shop.client.post(RESET, json={"email": EMAIL})
    unknown = await shop.client.post(RESET, json={"email": "nobody@example.com"})
    assert (known.status_code, unknown.status_code) == (202, 202)
    assert known.json() == unknown.json()
    async with engine.connect() as conn:
        queued = (await conn.execute(select(func.count()).select_from(outgoing_mail))).scalar()
    assert queued == 1  # nothing is queued for the unknown email
    await mail_to(shop, inbox, EMAIL)
    assert [m["To"] for m in inbox.messages] == [EMAIL]


async def test_a_token_sets_the_password_once_and_ends_every_login(
    mail_shop: Shop, inbox: Inbox, engine: AsyncEngine
) -> None:
    shop = mail_shop
    login = (await shop.log_in(EMAIL)).json()
    token = await reset_token(shop, inbox)

    weak = await shop.client.post(
        f"{RESET}/confirm", json={"token": token, "new_password": "short"}
    )
    assert (weak.status_code, weak.json()["code"]) == (422, "weak_password")
    # A refused password spends nothing: the same link still works.
    done = await shop.client.post(
        f"{RESET}/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert done.status_code == 204, done.text

    me = await shop.client.get("/api/v1/users/me", headers=bearer(login["access_token"]))
    assert me.status_code == 401
    refreshed = await shop.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": login["refresh_token"]}
    )
    assert refreshed.status_code == 401
    assert (await shop.log_in(EMAIL, PASSWORD)).status_code == 401
    assert (await shop.log_in(EMAIL, NEW_PASSWORD)).status_code == 200

    again = await shop.client.post(
        f"{RESET}/confirm", json={"token": token, "new_password": "yet-another-passphrase-7"}
    )
    assert (again.status_code, again.json()["code"]) == (400, "password_reset_token_used")
    assert (await shop.log_in(EMAIL, NEW_PASSWORD)).status_code == 200
    # The token never reached the log, and the sent mail's row forgot its link.
    async with engine.connect() as conn:
        logged = (
            await conn.execute(
                text("SELECT count(*) FROM event_log WHERE payload::text LIKE :t"),
                {"t": f"%{token}%"},
            )
        ).scalar()
        kept = (await conn.execute(select(outgoing_mail.c.context))).scalars().all()
    assert logged == 0
    assert kept == [{}]


async def test_of_concurrent_uses_of_one_token_exactly_one_wins(
    mail_shop: Shop, inbox: Inbox
) -> None:
    shop = mail_shop
    token = await reset_token(shop, inbox)
    answers = await asyncio.gather(
        *(
            shop.client.post(
                f"{RESET}/confirm", json={"token": token, "new_password": f"{NEW_PASSWORD}-{i}"}
            )
            for i in range(4)
        )
    )
    assert sorted(a.status_code for a in answers) == [204, 400, 400, 400]
    winner = next(i for i, a in enumerate(answers) if a.status_code == 204)
    assert (await shop.log_in(EMAIL, f"{NEW_PASSWORD}-{winner}")).status_code == 200


async def test_an_unknown_token_is_refused_without_naming_an_account(mail_shop: Shop) -> None:
    refused = await mail_shop.client.post(
        f"{RESET}/confirm", json={"token": "made-up", "new_password": NEW_PASSWORD}
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "password_reset_token_invalid")
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "grace" not in refused.text


async def test_an_expired_token_is_refused_and_the_password_stays(
    mail_shop_factory: MailShopFactory, inbox: Inbox
) -> None:
    clock = FixedClock(datetime.now(UTC))
    async with mail_shop_factory(clock=clock, password_reset_token_minutes=5) as shop:
        assert (await shop.register(EMAIL)).status_code == 201
        token = await reset_token(shop, inbox)
        clock.advance(timedelta(minutes=5))
        expired = await shop.client.post(
            f"{RESET}/confirm", json={"token": token, "new_password": NEW_PASSWORD}
        )
        assert (expired.status_code, expired.json()["code"]) == (
            410,
            "password_reset_token_expired",
        )
        assert (await shop.log_in(EMAIL, PASSWORD)).status_code == 200


async def test_requests_for_one_email_are_limited_whether_or_not_it_has_an_account(
    mail_shop_factory: MailShopFactory,
) -> None:
    async with mail_shop_factory(password_reset_limit_per_email="2 per hour") as shop:
        assert (await shop.register(EMAIL)).status_code == 201
        for email in (EMAIL, "nobody@example.com"):
            answers = [
                (await shop.client.post(RESET, json={"email": email})).status_code for _ in range(3)
            ]
            assert answers == [202, 202, 429], email
        limited = await shop.client.post(RESET, json={"email": EMAIL.upper()})
        assert limited.json()["code"] == "too_many_requests"
        other = await shop.client.post(RESET, json={"email": "someone-else@example.com"})
        assert other.status_code == 202
