"""Staff open locations, receive and move stock between them, and let a SKU backorder, over
HTTP; refusals are problems with stable codes and change nothing."""

import uuid
from datetime import timedelta

from application.inventory.commands import ReserveStock
from domain.identity.values import Role
from tests.support.shop import Shop, bearer


def a_sku() -> str:
    return f"MUG-{uuid.uuid4().hex[:8]}".upper()


async def test_locations_receipts_transfers_and_backorders(shop: Shop) -> None:
    staff = bearer(await shop.account("staff@example.com", Role.STAFF))
    sku, code = a_sku(), f"b-{uuid.uuid4().hex[:6]}"
    opened = await shop.client.post(
        "/api/v1/stock-locations", json={"code": code, "name": "Berlin"}, headers=staff
    )
    assert (opened.status_code, opened.json()) == (
        201,
        {"code": code, "name": "Berlin", "active": True},
    )
    again = await shop.client.post(
        "/api/v1/stock-locations", json={"code": code, "name": "Berlin"}, headers=staff
    )
    assert (again.status_code, again.json()["code"]) == (409, "location_exists")
    bad = await shop.client.post(
        "/api/v1/stock-locations", json={"code": "Not A Code", "name": "x"}, headers=staff
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_location_code")
    listed = (await shop.client.get("/api/v1/stock-locations", headers=staff)).json()
    assert {"code": "main", "name": "Main", "active": True} in listed

    await shop.client.post(f"/api/v1/inventory/{sku}/receipts", json={"quantity": 5}, headers=staff)
    there = await shop.client.post(
        f"/api/v1/inventory/{sku}/receipts", json={"quantity": 2, "location": code}, headers=staff
    )
    assert there.json()["on_hand"] == 7
    assert [(lv["location"], lv["on_hand"]) for lv in there.json()["locations"]] == sorted(
        [(code, 2), ("main", 5)]
    )
    nowhere = await shop.client.post(
        f"/api/v1/inventory/{sku}/receipts",
        json={"quantity": 1, "location": "nowhere"},
        headers=staff,
    )
    assert (nowhere.status_code, nowhere.json()["code"]) == (404, "unknown_location")

    moved = await shop.client.post(
        f"/api/v1/inventory/{sku}/transfers",
        json={"from_location": "main", "to_location": code, "quantity": 3},
        headers=staff,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["on_hand"] == 7
    too_many = await shop.client.post(
        f"/api/v1/inventory/{sku}/transfers",
        json={"from_location": "main", "to_location": code, "quantity": 3},
        headers=staff,
    )
    assert (too_many.status_code, too_many.json()["code"]) == (409, "insufficient_stock")

    policy = await shop.client.put(
        f"/api/v1/inventory/{sku}/backorder-policy",
        json={"policy": "backorder", "limit": 2},
        headers=staff,
    )
    assert (policy.json()["policy"], policy.json()["backorder_limit"]) == ("backorder", 2)
    bus = shop.app.state.services.bus
    hold = timedelta(minutes=5)
    await bus.handle(ReserveStock(order_id=uuid.uuid4(), lines=((sku, 8),), hold_for=hold))
    stock = (await shop.client.get(f"/api/v1/inventory/{sku}", headers=staff)).json()
    assert (stock["reserved"], stock["backordered"], stock["available"]) == (7, 1, 0)

    off = await shop.client.post(f"/api/v1/stock-locations/{code}/deactivate", headers=staff)
    assert off.json()["active"] is False
    closed = await shop.client.post(
        f"/api/v1/inventory/{sku}/receipts", json={"quantity": 1, "location": code}, headers=staff
    )
    assert (closed.status_code, closed.json()["code"]) == (409, "location_inactive")
    ledger = (await shop.client.get(f"/api/v1/inventory/{sku}/ledger", headers=staff)).json()
    assert [e["movement"] for e in ledger["items"]].count("transfer") == 2
