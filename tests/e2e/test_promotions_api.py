"""Promotions over HTTP: staff create, read, replace and end promotions and manage their codes;
customers may not; a stale ETag is refused; lists come in keyset pages."""

import uuid
from typing import Any

from agora.seed import DEMO_PASSWORD, seed_demo
from domain.identity.values import Role
from tests.support.shop import Shop, bearer

URL = "/api/v1/promotions"
KITCHEN = str(uuid.uuid4())
TEN_OFF: dict[str, Any] = {
    "name": "10 % off the kitchen",
    "kind": "percentage",
    "target": "categories",
    "percent": "10",
    "category_ids": [KITCHEN],
    "automatic": True,
}


async def test_staff_create_a_promotion_and_its_codes(shop: Shop) -> None:
    staff = bearer(await shop.account("staff@example.com", Role.STAFF))

    created = await shop.client.post(
        URL, json=TEN_OFF | {"automatic": False, "priority": 3}, headers=staff
    )
    assert created.status_code == 201, created.text
    promotion = created.json()
    assert created.headers["location"] == f"{URL}/{promotion['id']}"
    assert created.headers["etag"] == '"0"'
    assert (promotion["percent"], promotion["category_ids"]) == ("10", [KITCHEN])
    assert (promotion["status"], promotion["priority"], promotion["amount"]) == ("active", 3, None)

    coupons = f"{URL}/{promotion['id']}/coupons"
    body = {"code": "welcome10", "usage_limit": 1000, "per_customer_limit": 1}
    added = await shop.client.post(coupons, json=body, headers=staff)
    assert added.status_code == 201, added.text
    assert (added.json()["code"], added.json()["uses"]) == ("WELCOME10", 0)
    taken = await shop.client.post(coupons, json=body | {"code": "Welcome10"}, headers=staff)
    assert (taken.status_code, taken.json()["code"]) == (409, "coupon_code_taken")

    disabled = await shop.client.post(f"{coupons}/{added.json()['id']}/disable", headers=staff)
    assert disabled.json()["active"] is False
    listed = await shop.client.get(coupons, headers=staff)
    assert [c["code"] for c in listed.json()["items"]] == ["WELCOME10"]


async def test_customers_may_not_manage_promotions(shop: Shop) -> None:
    customer = bearer(await shop.account("cleo@example.com", Role.CUSTOMER))

    for response in [
        await shop.client.post(URL, json=TEN_OFF, headers=customer),
        await shop.client.get(URL, headers=customer),
    ]:
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert (await shop.client.get(URL)).status_code == 401


async def test_a_change_needs_the_current_etag_and_an_ended_promotion_stays_ended(
    shop: Shop,
) -> None:
    staff = bearer(await shop.account("staff@example.com", Role.STAFF))
    promotion = (await shop.client.post(URL, json=TEN_OFF, headers=staff)).json()
    url = f"{URL}/{promotion['id']}"
    etag = (await shop.client.get(url, headers=staff)).headers["etag"]
    fixed = TEN_OFF | {"kind": "fixed", "percent": None, "amount": "5.00", "currency": "EUR"}

    missing = await shop.client.put(url, json=fixed, headers=staff)
    changed = await shop.client.put(url, json=fixed, headers=staff | {"If-Match": etag})
    stale = await shop.client.put(url, json=TEN_OFF, headers=staff | {"If-Match": etag})

    assert (missing.status_code, missing.json()["code"]) == (428, "precondition_required")
    assert changed.status_code == 200, changed.text
    assert changed.json()["amount"] == {"amount": "5.00", "currency": "EUR"}
    assert changed.headers["etag"] == '"1"'
    assert (stale.status_code, stale.json()["code"]) == (412, "precondition_failed")

    ended = await shop.client.post(f"{url}/end", headers=staff)
    assert ended.json()["status"] == "ended"
    again = await shop.client.put(
        url, json=TEN_OFF, headers=staff | {"If-Match": ended.headers["etag"]}
    )
    assert (again.status_code, again.json()["code"]) == (409, "promotion_ended")
    code = await shop.client.post(f"{url}/coupons", json={"code": "LATE"}, headers=staff)
    assert (code.status_code, code.json()["code"]) == (409, "promotion_ended")


async def test_terms_the_pipeline_could_not_apply_are_refused(shop: Shop) -> None:
    staff = bearer(await shop.account("staff@example.com", Role.STAFF))

    for body, code in [
        (TEN_OFF | {"category_ids": []}, "invalid_promotion"),
        (
            TEN_OFF | {"starts_at": "2026-02-01T00:00:00Z", "ends_at": "2026-01-01T00:00:00Z"},
            "invalid_promotion",
        ),
        (
            TEN_OFF | {"kind": "buy_x_get_y", "buy_quantity": 0, "get_quantity": 1},
            "invalid_promotion",
        ),
        (TEN_OFF | {"kind": "fixed", "percent": None, "amount": "5"}, "invalid_promotion"),
        (TEN_OFF | {"percent": "150"}, "validation_failed"),
    ]:
        response = await shop.client.post(URL, json=body, headers=staff)
        assert (response.status_code, response.json()["code"]) == (422, code), body
    missing = await shop.client.get(f"{URL}/{uuid.uuid4()}", headers=staff)
    assert (missing.status_code, missing.json()["code"]) == (404, "promotion_not_found")


async def test_promotions_are_listed_newest_first_in_pages(shop: Shop) -> None:
    staff = bearer(await shop.account("staff@example.com", Role.STAFF))
    for n in range(5):
        await shop.client.post(URL, json=TEN_OFF | {"name": f"P{n}"}, headers=staff)

    names: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await shop.client.get(URL, params=params, headers=staff)).json()
        names += [p["name"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert names == ["P4", "P3", "P2", "P1", "P0"]
    bad = await shop.client.get(URL, params={"cursor": "nope"}, headers=staff)
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_cursor")
    ended = await shop.client.get(URL, params={"status": "ended"}, headers=staff)
    assert ended.json()["items"] == []


async def test_the_demo_seed_offers_the_kitchen_promotion_and_welcome10_once(shop: Shop) -> None:
    await seed_demo(shop.services)
    await seed_demo(shop.services)  # idempotent
    staff = bearer(await shop.token_for("staff@agora.example.com", DEMO_PASSWORD))

    page = (await shop.client.get(URL, headers=staff)).json()
    by_name = {p["name"]: p for p in page["items"]}
    assert len(page["items"]) == 2
    assert by_name["10 % off the kitchen"]["automatic"] is True
    welcome = next(p for p in page["items"] if not p["automatic"])
    codes = (await shop.client.get(f"{URL}/{welcome['id']}/coupons", headers=staff)).json()
    assert [(c["code"], c["usage_limit"], c["per_customer_limit"]) for c in codes["items"]] == [
        ("WELCOME10", 1000, 1)
    ]
