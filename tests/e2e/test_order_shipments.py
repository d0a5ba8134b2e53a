"""Staff ship an order in several parcels over HTTP: each parcel's lines, carrier and tracking
show on the order and in its timeline, bad shipments get their own problem codes and change
nothing, and the order is delivered with its last parcel (ADR 0038)."""

import asyncio
from typing import Any

from tests.support.shop import OrderingShop, bearer


async def paid_order(shop: OrderingShop, units: int = 3) -> tuple[str, str, str]:
    customer = await shop.customer()
    teapot = await shop.stocked_product(units + 2)
    await shop.fill_cart(customer, teapot["sku"], units)
    order_id = (await shop.check_out(customer)).json()["id"]
    await shop.wait_status(customer, order_id, "paid")
    return customer, order_id, teapot["sku"]


async def ship(shop: OrderingShop, order_id: str, body: dict[str, Any]) -> Any:
    return await shop.client.post(
        f"/api/v1/orders/{order_id}/shipments", json=body, headers=bearer(shop.staff)
    )


async def test_an_order_ships_in_parcels_and_is_delivered_with_the_last(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer, order_id, sku = await paid_order(shop)
    first = await ship(
        shop,
        order_id,
        {"lines": [{"sku": sku, "quantity": 2}], "tracking_number": "P-1", "carrier": "UPS"},
    )
    assert first.status_code == 201, first.text
    parcel = first.json()
    assert parcel["lines"] == [{"sku": sku, "quantity": 2}]
    assert (parcel["tracking_number"], parcel["carrier"], parcel["delivered_at"]) == (
        "P-1",
        "UPS",
        None,
    )
    again = await ship(
        shop, order_id, {"lines": [{"sku": sku, "quantity": 2}], "tracking_number": "P-1"}
    )
    assert again.json()["id"] == parcel["id"]  # the same parcel: nothing new
    order = await shop.wait_status(customer, order_id, "partially_shipped")
    assert order["lines"][0]["shipped_quantity"] == 2
    assert order["shipped_units"] == {sku: 2}

    for body, status, code in (
        (
            {"lines": [{"sku": sku, "quantity": 2}], "tracking_number": "P-2"},
            409,
            "shipment_exceeds_order",
        ),
        (
            {"lines": [{"sku": "NO-SUCH", "quantity": 1}], "tracking_number": "P-2"},
            422,
            "not_in_order",
        ),
        ({"lines": [], "tracking_number": "P-2"}, 422, "validation_failed"),
    ):
        refused = await ship(shop, order_id, body)
        assert (refused.status_code, refused.json().get("code")) == (status, code), refused.text
    cancel = await shop.client.post(
        f"/api/v1/orders/{order_id}/cancel",
        json={"reason": "late"},
        headers=bearer(shop.staff) | {"Idempotency-Key": f"cancel-{order_id}"},
    )
    assert cancel.json()["code"] == "order_already_shipped"
    unknown = await shop.client.post(
        f"/api/v1/orders/{order_id}/shipments/{order_id}/delivery", headers=bearer(shop.staff)
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "shipment_not_found")

    last = await ship(shop, order_id, {"tracking_number": "P-2", "location": "main"})
    assert last.json()["lines"] == [{"sku": sku, "quantity": 1}]
    for shipment in (parcel, last.json()):
        delivered = await shop.client.post(
            f"/api/v1/orders/{order_id}/shipments/{shipment['id']}/delivery",
            headers=bearer(shop.staff),
        )
        assert delivered.status_code == 200, delivered.text
    assert delivered.json()["status"] == "delivered"
    final = await shop.wait_status(customer, order_id, "delivered")
    assert [s["tracking_number"] for s in final["shipments"]] == ["P-1", "P-2"]
    assert all(s["delivered_at"] for s in final["shipments"])
    timeline = (
        await shop.client.get(f"/api/v1/orders/{order_id}/timeline", headers=bearer(customer))
    ).json()["items"]
    summaries = [e["summary"] for e in timeline if e["event_type"] == "ShipmentDispatched"]
    assert summaries == [
        f"Parcel of 2 x {sku} left with UPS, tracking number P-1",
        f"Parcel of 1 x {sku} left from main, tracking number P-2",
    ]
    staff_view = await shop.client.get(
        "/api/v1/staff/orders", params={"status": "delivered"}, headers=bearer(shop.staff)
    )
    assert order_id in [o["id"] for o in staff_view.json()["items"]]


async def test_parcels_racing_for_the_last_units_never_ship_more_than_was_ordered(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer, order_id, sku = await paid_order(shop, units=2)
    answers = await asyncio.gather(
        *(
            ship(
                shop,
                order_id,
                {"lines": [{"sku": sku, "quantity": 1}], "tracking_number": f"R-{n}"},
            )
            for n in range(8)
        )
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [201, 201] + [409] * 6, [a.text for a in answers]
    assert {a.json()["code"] for a in answers if a.status_code == 409} <= {
        "shipment_exceeds_order",
        "order_already_shipped",
    }
    order = await shop.wait_status(customer, order_id, "shipped")
    assert order["shipped_units"] == {sku: 2}
    assert len(order["shipments"]) == 2
