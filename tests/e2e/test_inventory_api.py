"""Staff manage stock over HTTP; nobody else can."""

import uuid
from datetime import timedelta

import pytest

from application.inventory.commands import ReserveStock
from domain.identity.values import Role
from tests.support.shop import Shop, bearer


def a_sku() -> str:
    return f"MUG-{uuid.uuid4().hex[:8]}".upper()


async def test_staff_receive_adjust_and_read_stock_and_its_ledger(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    sku = a_sku()

    received = await shop.client.post(
        f"/api/v1/inventory/{sku.lower()}/receipts", json={"quantity": 12}, headers=bearer(staff)
    )
    assert received.status_code == 200
    assert received.json() == {
        "sku": sku,
        "on_hand": 12,
        "reserved": 0,
        "available": 12,
        "backordered": 0,
        "policy": "none",
        "backorder_limit": 0,
        "locations": [
            {"location": "main", "on_hand": 12, "reserved": 0, "available": 12, "backordered": 0}
        ],
    }

    await shop.app.state.services.bus.handle(
        ReserveStock(order_id=uuid.uuid4(), lines=((sku, 10),), hold_for=timedelta(minutes=5))
    )
    too_far = await shop.client.post(
        f"/api/v1/inventory/{sku}/adjustments",
        json={"delta": -3, "reason": "dropped a box"},
        headers=bearer(staff),
    )
    assert too_far.status_code == 409
    assert too_far.json()["code"] == "adjustment_below_reserved"
    adjusted = await shop.client.post(
        f"/api/v1/inventory/{sku}/adjustments",
        json={"delta": -2, "reason": "dropped a box"},
        headers=bearer(staff),
    )
    assert adjusted.json()["available"] == 0

    stock = await shop.client.get(f"/api/v1/inventory/{sku}", headers=bearer(staff))
    totals = {k: stock.json()[k] for k in ("sku", "on_hand", "reserved", "available")}
    assert totals == {"sku": sku, "on_hand": 10, "reserved": 10, "available": 0}
    ledger = (
        await shop.client.get(f"/api/v1/inventory/{sku}/ledger", headers=bearer(staff))
    ).json()
    assert [e["movement"] for e in ledger["items"]] == ["receive", "reserve", "adjust"]
    assert ledger["items"][2]["reason"] == "dropped a box"


async def test_unknown_and_malformed_skus_are_answered_precisely(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    unknown = await shop.client.get(f"/api/v1/inventory/{a_sku()}", headers=bearer(staff))
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_sku")
    malformed = await shop.client.get("/api/v1/inventory/no%20such%20thing", headers=bearer(staff))
    assert (malformed.status_code, malformed.json()["code"]) == (422, "invalid_sku")
    no_reason = await shop.client.post(
        f"/api/v1/inventory/{a_sku()}/adjustments",
        json={"delta": 1, "reason": ""},
        headers=bearer(staff),
    )
    assert no_reason.status_code == 422


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/inventory/MUG-1", None),
        ("GET", "/api/v1/inventory/MUG-1/ledger", None),
        ("POST", "/api/v1/inventory/MUG-1/receipts", {"quantity": 1}),
        ("POST", "/api/v1/inventory/MUG-1/adjustments", {"delta": 1, "reason": "count"}),
    ],
)
async def test_customers_get_403_and_strangers_401_on_every_inventory_route(
    shop: Shop, method: str, path: str, body: dict[str, object] | None
) -> None:
    customer = await shop.account("customer@example.com", Role.CUSTOMER)
    forbidden = await shop.client.request(method, path, json=body, headers=bearer(customer))
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "permission_denied")
    anonymous = await shop.client.request(method, path, json=body)
    assert anonymous.status_code == 401
