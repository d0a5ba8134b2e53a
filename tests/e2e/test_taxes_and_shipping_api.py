"""Taxes and shipping over HTTP: staff set up German VAT, Californian sales tax and the
currencies' modes, and three ways to ship to Germany, France and Austria; anyone lists what
Germany is offered in euros; customers cannot write; a stale ETag is refused."""

from typing import Any

import httpx

from agora.seed import DEMO_TAX_RATES, seed_demo
from domain.identity.values import Role
from tests.support.shop import Shop, bearer

EUROS = {
    "currency": "EUR",
    "bands": [
        {"from_value": "0", "price": "4.90"},
        {"from_value": "2000", "price": "6.90"},
        {"from_value": "10000", "price": "12.90"},
    ],
    "free_above": "50.00",
}
STANDARD = {
    "code": "standard",
    "name": "Standard parcel",
    "kind": "standard",
    "basis": "weight",
    "countries": ["DE", "FR", "AT"],
    "tariffs": [EUROS],
    "max_weight_grams": 30000,
}
EXPRESS = {
    "code": "express",
    "name": "Express, next day",
    "kind": "express",
    "basis": "order_value",
    "countries": ["DE", "FR", "AT"],
    "tariffs": [
        {
            "currency": "EUR",
            "bands": [
                {"from_value": "0", "price": "14.90"},
                {"from_value": "100", "price": "9.90"},
            ],
        },
        {"currency": "USD", "bands": [{"from_value": "0", "price": "19.00"}]},
    ],
}
PICKUP = {
    "code": "pickup",
    "name": "Pick up in the shop",
    "kind": "pickup",
    "basis": "order_value",
    "countries": ["DE", "FR", "AT"],
    "tariffs": [{"currency": "EUR", "bands": [{"from_value": "0", "price": "0"}]}],
    "tax_category": "zero",
}


async def created(shop: Shop, token: str, path: str, body: dict[str, Any]) -> httpx.Response:
    response = await shop.client.post(path, json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"0"'
    return response


async def test_staff_set_up_taxes_and_the_port_serves_them(shop: Shop) -> None:
    staff = await shop.account("tax-staff@example.com", Role.STAFF)
    for code, name in (("standard", "Standard rate"), ("reduced", "Reduced rate")):
        await created(shop, staff, "/api/v1/tax-categories", {"code": code, "name": name})
    vat = await created(
        shop,
        staff,
        "/api/v1/tax-rates",
        {"country": "DE", "tax_category": "standard", "rate": "19", "name": "VAT"},
    )
    await created(
        shop,
        staff,
        "/api/v1/tax-rates",
        {"country": "de", "tax_category": "reduced", "rate": "7", "name": "VAT"},
    )
    california = await created(
        shop,
        staff,
        "/api/v1/tax-rates",
        {
            "country": "US",
            "region": "US-CA",
            "tax_category": "standard",
            "rate": "7.25",
            "name": "Sales tax",
        },
    )
    for currency, inclusive in (("EUR", True), ("USD", False)):
        put = await shop.client.put(
            f"/api/v1/tax-currencies/{currency}",
            json={"prices_include_tax": inclusive},
            headers=bearer(staff),
        )
        assert put.status_code == 200, put.text

    assert vat.json()["rate"] == "19.0000"
    assert california.json()["region"] == "US-CA"
    german = await shop.client.get(
        "/api/v1/tax-rates", params={"country": "DE"}, headers=bearer(staff)
    )
    assert [(r["tax_category"], r["rate"]) for r in german.json()["items"]] == [
        ("reduced", "7.0000"),
        ("standard", "19.0000"),
    ]
    modes = await shop.client.get("/api/v1/tax-currencies", headers=bearer(staff))
    assert [(m["currency"], m["prices_include_tax"]) for m in modes.json()["items"]] == [
        ("EUR", True),
        ("USD", False),
    ]
    twice = await shop.client.post(
        "/api/v1/tax-rates",
        json={"country": "DE", "tax_category": "standard", "rate": "16", "name": "VAT"},
        headers=bearer(staff),
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "tax_rate_exists")
    unknown = await shop.client.post(
        "/api/v1/tax-rates",
        json={"country": "DE", "tax_category": "luxury", "rate": "25", "name": "VAT"},
        headers=bearer(staff),
    )
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_tax_category")


async def test_a_rate_changes_with_its_etag_and_a_stale_one_is_refused(shop: Shop) -> None:
    staff = await shop.account("tax-staff@example.com", Role.STAFF)
    await created(shop, staff, "/api/v1/tax-categories", {"code": "standard", "name": "Standard"})
    vat = await created(
        shop,
        staff,
        "/api/v1/tax-rates",
        {"country": "GB", "tax_category": "standard", "rate": "17.5", "name": "VAT"},
    )
    url = vat.headers["Location"]

    unconditional = await shop.client.patch(url, json={"rate": "20"}, headers=bearer(staff))
    changed = await shop.client.patch(
        url, json={"rate": "20"}, headers=bearer(staff) | {"If-Match": '"0"'}
    )
    stale = await shop.client.patch(
        url, json={"rate": "15"}, headers=bearer(staff) | {"If-Match": '"0"'}
    )
    stale_delete = await shop.client.delete(url, headers=bearer(staff) | {"If-Match": '"0"'})
    deleted = await shop.client.delete(url, headers=bearer(staff) | {"If-Match": '"1"'})

    assert (unconditional.status_code, unconditional.json()["code"]) == (
        428,
        "precondition_required",
    )
    assert (changed.status_code, changed.headers["ETag"], changed.json()["rate"]) == (
        200,
        '"1"',
        "20.0000",
    )
    assert (stale.status_code, stale.json()["code"]) == (412, "precondition_failed")
    assert stale_delete.status_code == 412
    assert deleted.status_code == 204
    assert (await shop.client.get(url, headers=bearer(staff))).status_code == 404


async def test_staff_create_methods_and_anyone_lists_what_germany_is_offered(shop: Shop) -> None:
    staff = await shop.account("shipping-staff@example.com", Role.STAFF)
    for body in (STANDARD, EXPRESS, PICKUP):
        await created(shop, staff, "/api/v1/shipping-methods", body)
    await created(
        shop, staff, "/api/v1/shipping-methods", STANDARD | {"code": "uk", "countries": ["GB"]}
    )

    german = await shop.client.get(
        "/api/v1/shipping-methods", params={"country": "DE", "currency": "EUR"}
    )
    american = await shop.client.get(
        "/api/v1/shipping-methods", params={"country": "AT", "currency": "USD"}
    )

    assert german.status_code == 200, german.text
    offered = {m["code"]: m for m in german.json()["items"]}
    assert list(offered) == ["express", "pickup", "standard"]
    assert offered["standard"]["bands"] == [
        {"from_value": "0.00", "price": "4.90"},
        {"from_value": "2000.00", "price": "6.90"},
        {"from_value": "10000.00", "price": "12.90"},
    ]
    assert (offered["standard"]["free_above"], offered["standard"]["max_weight_grams"]) == (
        "50.00",
        30000,
    )
    assert (offered["pickup"]["bands"][0]["price"], offered["pickup"]["tax_category"]) == (
        "0.00",
        "zero",
    )
    assert [m["code"] for m in american.json()["items"]] == ["express"]
    listed = await shop.client.get("/api/v1/staff/shipping-methods?limit=2", headers=bearer(staff))
    after = await shop.client.get(
        "/api/v1/staff/shipping-methods",
        params={"limit": 2, "cursor": listed.json()["next_cursor"]},
        headers=bearer(staff),
    )
    codes = [m["code"] for m in listed.json()["items"] + after.json()["items"]]
    assert codes == ["express", "pickup", "standard", "uk"]
    assert after.json()["next_cursor"] is None


async def test_an_inactive_or_stale_method_and_bad_bands(shop: Shop) -> None:
    staff = await shop.account("shipping-staff@example.com", Role.STAFF)
    method = (await created(shop, staff, "/api/v1/shipping-methods", STANDARD)).json()
    url = f"/api/v1/shipping-methods/{method['id']}"

    off = await shop.client.patch(
        url, json={"active": False}, headers=bearer(staff) | {"If-Match": '"0"'}
    )
    stale = await shop.client.patch(
        url, json={"name": "Parcel"}, headers=bearer(staff) | {"If-Match": '"0"'}
    )
    offered = await shop.client.get(
        "/api/v1/shipping-methods", params={"country": "DE", "currency": "EUR"}
    )
    not_from_zero = await shop.client.post(
        "/api/v1/shipping-methods",
        json=STANDARD
        | {
            "code": "odd",
            "tariffs": [{"currency": "EUR", "bands": [{"from_value": "5", "price": "1.00"}]}],
        },
        headers=bearer(staff),
    )
    twice_in_euros = await shop.client.post(
        "/api/v1/shipping-methods",
        json=STANDARD | {"code": "twice", "tariffs": [EUROS, EUROS]},
        headers=bearer(staff),
    )
    taken = await shop.client.post("/api/v1/shipping-methods", json=STANDARD, headers=bearer(staff))

    assert (off.status_code, off.json()["active"], off.headers["ETag"]) == (200, False, '"1"')
    assert (stale.status_code, stale.json()["code"]) == (412, "precondition_failed")
    assert offered.json()["items"] == []
    assert (not_from_zero.status_code, not_from_zero.json()["code"]) == (422, "invalid_rate_bands")
    assert twice_in_euros.json()["code"] == "invalid_rate_bands"
    assert (taken.status_code, taken.json()["code"]) == (409, "shipping_method_code_taken")


async def test_a_customer_cannot_write_taxes_or_shipping(shop: Shop) -> None:
    customer = await shop.account("customer@example.com", Role.CUSTOMER)
    writes = [
        ("POST", "/api/v1/tax-categories", {"code": "standard", "name": "Standard"}),
        (
            "POST",
            "/api/v1/tax-rates",
            {"country": "DE", "tax_category": "standard", "rate": "19", "name": "VAT"},
        ),
        ("PUT", "/api/v1/tax-currencies/EUR", {"prices_include_tax": True}),
        ("POST", "/api/v1/shipping-methods", STANDARD),
        ("GET", "/api/v1/staff/shipping-methods", None),
    ]
    for method, path, body in writes:
        as_customer = await shop.client.request(method, path, json=body, headers=bearer(customer))
        anonymous = await shop.client.request(method, path, json=body)
        assert (as_customer.status_code, as_customer.json()["code"]) == (403, "permission_denied")
        assert anonymous.status_code == 401


async def test_the_demo_shop_has_rates_modes_and_three_ways_to_ship(shop: Shop) -> None:
    await seed_demo(shop.services)
    await seed_demo(shop.services)  # a second start leaves them as they are
    staff = await shop.account("demo-staff@example.com", Role.STAFF)

    rates = await shop.client.get("/api/v1/tax-rates?limit=100", headers=bearer(staff))
    offered = await shop.client.get(
        "/api/v1/shipping-methods", params={"country": "FR", "currency": "EUR"}
    )

    destinations = {(r["country"], r["region"], r["tax_category"]) for r in rates.json()["items"]}
    assert {("DE", None, "standard"), ("US", "US-CA", "standard"), ("JP", None, "reduced")} <= (
        destinations
    )
    assert len(destinations) == len(DEMO_TAX_RATES)
    assert [m["code"] for m in offered.json()["items"]] == ["express", "pickup", "standard"]
