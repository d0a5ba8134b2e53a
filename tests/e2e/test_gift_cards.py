"""Gift cards over HTTP: staff issue a card and see its code once, lists show only its last
four characters, customers cannot reach staff routes, anyone with a code checks that card's
balance (rate limited), a disabled card says so, and the worker gives a cancelled order's
gift card money back."""

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.contexts.gift_cards import GiftCardsForOrdering
from agora.seed import DEMO_GIFT_CARD_CODE, DEMO_PASSWORD, seed_demo
from domain.identity.values import Role
from domain.ordering.pricing.breakdown import GiftCardCharge
from domain.shared.money import Money
from tests.support.shop import OrderingShop, Shop, ShopFactory, bearer

CARDS = "/api/v1/gift-cards"


async def issue(shop: Shop, staff: str, amount: str = "50.00", **fields: Any) -> httpx.Response:
    body = {"value": {"amount": amount, "currency": "EUR"}} | fields
    return await shop.client.post(CARDS, json=body, headers=bearer(staff))


async def check(shop: Shop, code: str, token: str | None = None) -> httpx.Response:
    headers = bearer(token) if token else {}
    return await shop.client.post(f"{CARDS}/balance", json={"code": code}, headers=headers)


async def test_staff_issue_a_card_whose_code_is_shown_once(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    issued = await issue(shop, staff, note="Raffle prize", recipient_email="Ada@Example.com")

    assert issued.status_code == 201, issued.text
    body = issued.json()
    code, card = body["code"], body["gift_card"]
    assert [len(group) for group in code.split("-")] == [4, 4, 4, 4]
    assert card["last_four"] == code[-4:]
    assert card["balance"] == {"amount": "50.00", "currency": "EUR"}
    assert (card["status"], card["version"]) == ("active", 0)
    assert issued.headers["ETag"] == '"0"'
    assert issued.headers["Location"] == f"{CARDS}/{card['id']}"
    assert "no-store" in issued.headers["Cache-Control"]

    listed = await shop.client.get(CARDS, headers=bearer(staff))
    one = await shop.client.get(f"{CARDS}/{card['id']}", headers=bearer(staff))
    ledger = await shop.client.get(f"{CARDS}/{card['id']}/movements", headers=bearer(staff))
    for response in (listed, one, ledger):
        assert response.status_code == 200, response.text
        assert code not in response.text
        assert code.replace("-", "") not in response.text
    assert [c["last_four"] for c in listed.json()["items"]] == [code[-4:]]
    assert one.json() == card
    assert [(m["kind"], m["amount"]) for m in ledger.json()["items"]] == [("issue", "50.00")]


async def test_the_list_is_keyset_paginated_newest_first(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    ids = [(await issue(shop, staff, f"{n}.00")).json()["gift_card"]["id"] for n in (1, 2, 3)]

    first = (await shop.client.get(CARDS, params={"limit": 2}, headers=bearer(staff))).json()
    second = await shop.client.get(
        CARDS, params={"limit": 2, "cursor": first["next_cursor"]}, headers=bearer(staff)
    )
    seen = [c["id"] for c in first["items"]] + [c["id"] for c in second.json()["items"]]
    assert seen == ids[::-1]
    assert second.json()["next_cursor"] is None
    forged = await shop.client.get(CARDS, params={"cursor": "abc"}, headers=bearer(staff))
    assert (forged.status_code, forged.json()["code"]) == (400, "invalid_cursor")


async def test_customers_cannot_reach_staff_routes(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    customer = await shop.account("customer@example.com", Role.CUSTOMER)
    card = (await issue(shop, staff)).json()["gift_card"]
    headers = bearer(customer) | {"If-Match": '"0"'}
    for method, path, body in [
        ("POST", CARDS, {"value": {"amount": "5.00", "currency": "EUR"}}),
        ("GET", CARDS, None),
        ("GET", f"{CARDS}/{card['id']}", None),
        ("GET", f"{CARDS}/{card['id']}/movements", None),
        ("POST", f"{CARDS}/{card['id']}/disable", None),
        ("POST", f"{CARDS}/{card['id']}/enable", None),
        ("POST", f"{CARDS}/{card['id']}/adjustments", {"amount": "5", "reason": "free money"}),
    ]:
        response = await shop.client.request(method, path, json=body, headers=headers)
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied"), path
        anonymous = await shop.client.request(method, path, json=body)
        assert anonymous.status_code == 401, path


async def test_anyone_with_the_code_checks_that_cards_balance_and_nothing_else(
    shop: Shop,
) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    customer = await shop.account("customer@example.com", Role.CUSTOMER)
    issued = (await issue(shop, staff, "25.00", note="for Ada only")).json()
    code = issued["code"]

    for typed, token in [(code, None), (code.lower().replace("-", " "), customer)]:
        found = await check(shop, typed, token)
        assert found.status_code == 200, found.text
        assert found.json() == {
            "last_four": code[-4:],
            "balance": {"amount": "25.00", "currency": "EUR"},
            "status": "active",
            "expires_at": None,
        }
    for wrong in (code[:-1] + ("A" if code[-1] != "A" else "B"), "not a code at all"):
        missing = await check(shop, wrong)
        assert (missing.status_code, missing.json()["code"]) == (404, "gift_card_not_found")


async def test_a_disabled_card_says_so_and_changes_need_the_current_etag(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    issued = (await issue(shop, staff)).json()
    path = f"{CARDS}/{issued['gift_card']['id']}"

    unconditional = await shop.client.post(f"{path}/disable", headers=bearer(staff))
    assert (unconditional.status_code, unconditional.json()["code"]) == (
        428,
        "precondition_required",
    )
    disabled = await shop.client.post(
        f"{path}/disable", headers=bearer(staff) | {"If-Match": '"0"'}
    )
    assert disabled.status_code == 200, disabled.text
    assert (disabled.json()["status"], disabled.headers["ETag"]) == ("disabled", '"1"')
    assert (await check(shop, issued["code"])).json()["status"] == "disabled"

    stale = await shop.client.post(f"{path}/enable", headers=bearer(staff) | {"If-Match": '"0"'})
    assert (stale.status_code, stale.json()["code"]) == (412, "precondition_failed")
    enabled = await shop.client.post(f"{path}/enable", headers=bearer(staff) | {"If-Match": '"1"'})
    assert enabled.json()["status"] == "active"


async def test_staff_top_up_and_never_take_a_card_below_zero(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    issued = (await issue(shop, staff, "10.00")).json()
    path = f"{CARDS}/{issued['gift_card']['id']}/adjustments"

    topped = await shop.client.post(
        path,
        json={"amount": "15.00", "reason": "goodwill top-up"},
        headers=bearer(staff) | {"If-Match": '"0"'},
    )
    assert topped.status_code == 200, topped.text
    assert topped.json()["balance"] == {"amount": "25.00", "currency": "EUR"}
    below = await shop.client.post(
        path,
        json={"amount": "-25.01", "reason": "too much"},
        headers=bearer(staff) | {"If-Match": '"1"'},
    )
    assert (below.status_code, below.json()["code"]) == (409, "gift_card_adjustment_below_zero")
    invalid = await issue(shop, staff, "0.00")
    assert (invalid.status_code, invalid.json()["code"]) == (422, "invalid_gift_card")


async def test_balance_checks_are_rate_limited_per_address(shop_factory: ShopFactory) -> None:
    async with shop_factory(gift_card_balance_checks_per_ip="3 per minute") as shop:
        staff = await shop.account("staff@example.com", Role.STAFF)
        code = (await issue(shop, staff)).json()["code"]
        answers = [(await check(shop, c)).status_code for c in ("nope", "nope", code)]
        assert answers == [404, 404, 200]  # every check counts, found or not

        limited = await check(shop, code)
        assert (limited.status_code, limited.json()["code"]) == (429, "too_many_requests")
        assert int(limited.headers["Retry-After"]) >= 1


async def test_the_demo_seed_issues_the_readme_card_once(shop: Shop) -> None:
    await seed_demo(shop.services)
    await seed_demo(shop.services)  # every start of a demo shop seeds again

    found = await check(shop, DEMO_GIFT_CARD_CODE)
    assert found.status_code == 200, found.text
    assert found.json()["balance"] == {"amount": "50.00", "currency": "EUR"}
    staff = await shop.token_for("staff@agora.example.com", DEMO_PASSWORD)
    listed = (await shop.client.get(CARDS, headers=bearer(staff))).json()["items"]
    assert [c["last_four"] for c in listed] == [DEMO_GIFT_CARD_CODE[-4:]]


async def test_the_worker_credits_a_cancelled_order_back_once(
    ordering_shop: OrderingShop, engine: AsyncEngine
) -> None:
    shop = ordering_shop
    issued = (await issue(shop, shop.staff, "30.00")).json()
    card = issued["gift_card"]
    customer, order_id = await shop.pending_order()
    # What checkout will do in the order's transaction: take 12.00 from the card for it.
    async with engine.begin() as conn:
        await GiftCardsForOrdering(conn).debit(
            [
                GiftCardCharge(
                    gift_card_id=UUID(card["id"]),
                    last_four=card["last_four"],
                    amount=Money.of("12.00", "EUR"),
                )
            ],
            order_id=UUID(order_id),
            now=datetime.now(UTC),
        )
    path = f"{CARDS}/{card['id']}"
    assert (await shop.client.get(path, headers=bearer(shop.staff))).json()["balance"][
        "amount"
    ] == "18.00"

    cancelled = await shop.client.post(
        f"/api/v1/orders/{order_id}/cancel",
        json={"reason": "changed my mind"},
        headers=bearer(customer) | {"Idempotency-Key": "cancel-gift-card"},
    )
    assert cancelled.status_code == 200, cancelled.text

    ledger: list[dict[str, Any]] = []
    for _ in range(400):  # the worker reacts to the log within moments
        ledger = (await shop.client.get(f"{path}/movements", headers=bearer(shop.staff))).json()[
            "items"
        ]
        if ledger[0]["kind"] == "credit_back":
            break
        await asyncio.sleep(0.05)
    assert [(m["kind"], m["amount"]) for m in ledger] == [
        ("credit_back", "12.00"),
        ("debit", "-12.00"),
        ("issue", "30.00"),
    ]
    assert (await check(shop, issued["code"])).json()["balance"]["amount"] == "30.00"
