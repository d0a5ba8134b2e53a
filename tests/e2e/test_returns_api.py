"""Returns over HTTP with the worker in-process: a customer asks back shipped units, staff
approve and receive them, the refund is computed from the frozen breakdown; bad input gets
its problem code and changes nothing; the returns read model rebuilds to the same rows."""

import asyncio
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.bootstrap import build_registry
from agora.worker import runner_config
from infrastructure.db.engine import asyncpg_dsn
from infrastructure.eventlog.monitoring import rebuild
from infrastructure.ordering.subscribers import ReturnProjection
from tests.support.eventlog import settled
from tests.support.shop import OrderingShop, bearer


async def shipped_order(shop: OrderingShop) -> tuple[str, str, str]:
    customer = await shop.customer()
    teapot = await shop.stocked_product(5)
    await shop.fill_cart(customer, teapot["sku"], 3)
    order_id = (await shop.check_out(customer)).json()["id"]
    await shop.wait_status(customer, order_id, "paid")
    shipped = await shop.client.post(
        f"/api/v1/orders/{order_id}/ship", json={"tracking_number": "T"}, headers=bearer(shop.staff)
    )
    assert shipped.status_code == 200, shipped.text
    return customer, order_id, teapot["sku"]


async def returns_of(
    shop: OrderingShop,
    token: str,
    order_id: str,
    count: int,
    statuses: tuple[str, ...] = ("received", "refunded"),
) -> list[Any]:
    for _ in range(400):
        response = await shop.client.get(
            f"/api/v1/orders/{order_id}/returns", headers=bearer(token)
        )
        assert response.status_code == 200, response.text
        items: list[Any] = response.json()["items"]
        if len(items) == count and items[-1]["status"] in statuses:
            return items
        await asyncio.sleep(0.05)
    raise AssertionError(f"the returns of {order_id} never showed")


async def test_a_return_from_request_to_receipt(
    ordering_shop: OrderingShop, engine: AsyncEngine, database_url: str
) -> None:
    shop = ordering_shop
    customer, order_id, sku = await shipped_order(shop)
    staff = bearer(shop.staff)
    path = f"/api/v1/orders/{order_id}/returns"
    ask = {"lines": [{"sku": sku, "quantity": 2, "reason": "chipped"}]}

    stranger = await shop.customer()
    assert (await shop.client.post(path, json=ask, headers=bearer(stranger))).status_code == 404
    made = await shop.client.post(path, json=ask, headers=bearer(customer))
    assert made.status_code == 201, made.text
    rma = made.json()
    assert rma["status"] == "requested"
    again = await shop.client.post(path, json=ask, headers=bearer(customer))
    assert again.json()["code"] == "return_exceeds_shipped"

    base = f"/api/v1/returns/{rma['id']}"
    early = {"units": [{"sku": sku, "quantity": 2, "disposition": "restock"}]}
    not_yet = await shop.client.post(f"{base}/receipt", json=early, headers=staff)
    assert not_yet.json()["code"] == "return_not_approved"
    approved = await shop.client.post(f"{base}/approval", headers=staff)
    assert approved.json()["status"] == "approved"
    nowhere = {"units": [{"sku": sku, "quantity": 1, "disposition": "restock", "location": "x"}]}
    assert (await shop.client.post(f"{base}/receipt", json=nowhere, headers=staff)).json()[
        "code"
    ] == "unknown_location"
    three = {"units": [{"sku": sku, "quantity": 3, "disposition": "write_off"}]}
    assert (await shop.client.post(f"{base}/receipt", json=three, headers=staff)).json()[
        "code"
    ] == "receipt_exceeds_return"

    received = await shop.client.post(f"{base}/receipt", json=early, headers=staff)
    assert received.status_code == 200, received.text
    assert received.json()["refund"] == {"amount": "25.00", "currency": "EUR"}
    assert received.json()["received"][0]["location"] == "main"

    # The process refunds the received units through the payment lifecycle, then closes it.
    (listed,) = await returns_of(shop, customer, order_id, 1, statuses=("refunded",))
    assert listed["id"] == rma["id"]
    order = (await shop.client.get(f"/api/v1/orders/{order_id}", headers=staff)).json()
    assert order["refunded_amount"] == {"amount": "25.00", "currency": "EUR"}, order
    assert order["status"] == "shipped"  # part of the money went back; the order stands
    [refund] = order["refunds"]
    assert refund["amount"] == {"amount": "25.00", "currency": "EUR"}
    assert (await shop.client.get(path, headers=bearer(stranger))).status_code == 404
    staff_list = await shop.client.get("/api/v1/returns", headers=staff)
    assert rma["id"] in [r["id"] for r in staff_list.json()["items"]]
    assert (await shop.client.get("/api/v1/returns", headers=bearer(customer))).status_code == 403

    timeline = await shop.client.get(
        f"/api/v1/orders/{order_id}/timeline", headers=bearer(customer)
    )
    words = [(e["return_id"], e["summary"]) for e in timeline.json()["items"]]
    assert (rma["id"], f"Return requested: 2 x {sku} (chipped)") in words
    assert (rma["id"], f"Return received: 2 x {sku} restocked at main; refund 25.00 EUR") in words
    assert words[0][0] is None  # the order's own events come first, in time

    await settled(engine)
    live = await return_views(engine)
    await rebuild(
        ReturnProjection(build_registry()),
        engine=engine,
        dsn=asyncpg_dsn(database_url),
        config=runner_config(shop.settings),
    )
    assert await return_views(engine) == live


async def return_views(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        views = (await conn.execute(text("SELECT * FROM return_views ORDER BY return_id"))).all()
        timeline = (
            await conn.execute(text("SELECT * FROM return_timeline ORDER BY position"))
        ).all()
    return [*views, *timeline]


async def test_a_guest_asks_back_units_with_the_orders_token(ordering_shop: OrderingShop) -> None:
    shop = ordering_shop
    guest = (await shop.client.post("/api/v1/auth/guest")).json()["access_token"]
    teapot = await shop.stocked_product(3)
    await shop.fill_cart(guest, teapot["sku"], 2)
    address = {"name": "Ada", "line1": "1 Main St", "city": "Paris"}
    address |= {"postal_code": "75001", "country": "FR"}
    placed = await shop.client.post(
        "/api/v1/checkout",
        json={"shipping_address": address, "payment_token": "tok_approve", "email": "a@b.co"},
        headers=bearer(guest) | {"Idempotency-Key": "g1"},
    )
    order_id, token = placed.json()["id"], placed.json()["access_token"]
    await shop.wait_status(shop.staff, order_id, "paid")
    await shop.client.post(
        f"/api/v1/orders/{order_id}/ship", json={"tracking_number": "T"}, headers=bearer(shop.staff)
    )
    await shop.wait_status(shop.staff, order_id, "shipped")
    path = f"/api/v1/orders/{order_id}/returns"
    ask = {"lines": [{"sku": teapot["sku"], "quantity": 1, "reason": "a gift I did not want"}]}

    wrong = await shop.client.post(path, json=ask, headers={"X-Order-Token": "not-the-token"})
    assert wrong.status_code == 404
    made = await shop.client.post(path, json=ask, headers={"X-Order-Token": token})
    assert made.status_code == 201, made.text
    assert made.json()["customer_id"] == placed.json()["customer_id"]
    listed = await returns_of_by_token(shop, token, order_id)
    assert [r["id"] for r in listed] == [made.json()["id"]]


async def returns_of_by_token(shop: OrderingShop, token: str, order_id: str) -> list[Any]:
    for _ in range(400):
        response = await shop.client.get(
            f"/api/v1/orders/{order_id}/returns", headers={"X-Order-Token": token}
        )
        assert response.status_code == 200, response.text
        if response.json()["items"]:
            return list(response.json()["items"])
        await asyncio.sleep(0.05)
    raise AssertionError("the guest's return never showed")
