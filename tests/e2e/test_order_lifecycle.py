"""An order's whole life over HTTP, with the read model, the timeline and Kafka agreeing."""

import json
import uuid

from aiokafka import AIOKafkaConsumer

from tests.support.shop import OrderingShopFactory, bearer


async def test_register_cart_checkout_pay_ship_deliver_and_everyone_agrees(
    ordering_shop_factory: OrderingShopFactory, kafka_bootstrap: str
) -> None:
    prefix = f"life-{uuid.uuid4().hex[:8]}"
    async with ordering_shop_factory(kafka=kafka_bootstrap, topic_prefix=prefix) as shop:
        assert (await shop.register("ada@example.com")).status_code == 201
        customer = await shop.token_for("ada@example.com")
        teapot = await shop.stocked_product(5, price="12.50")
        await shop.fill_cart(customer, teapot["sku"], 2)

        placed = await shop.check_out(customer)
        assert placed.status_code == 201, placed.text
        order = placed.json()
        assert placed.headers["Location"] == f"/api/v1/orders/{order['id']}"
        assert order["status"] == "placed"
        assert order["total"] == {"amount": "25.00", "currency": "EUR"}
        cart = (await shop.client.get("/api/v1/cart", headers=bearer(customer))).json()
        assert cart["lines"] == []

        paid = await shop.wait_status(customer, order["id"], "paid")
        assert paid["payment_reference"].startswith("pay_")
        stock = await shop.client.get(
            f"/api/v1/inventory/{teapot['sku']}", headers=bearer(shop.staff)
        )
        assert stock.json()["reserved"] == 2

        shipped = await shop.client.post(
            f"/api/v1/orders/{order['id']}/ship",
            json={"tracking_number": "TRACK-1", "carrier": "UPS"},
            headers=bearer(shop.staff),
        )
        assert shipped.status_code == 200, shipped.text
        assert shipped.json()["status"] == "shipped"
        delivered = await shop.client.post(
            f"/api/v1/orders/{order['id']}/deliver", headers=bearer(shop.staff)
        )
        assert delivered.json()["status"] == "delivered"

        final = await shop.wait_status(customer, order["id"], "delivered")
        assert final["tracking_number"] == "TRACK-1"
        assert final["version"] == delivered.json()["version"]
        timeline = (
            await shop.client.get(
                f"/api/v1/orders/{order['id']}/timeline", headers=bearer(customer)
            )
        ).json()["items"]
        kinds = [entry["event_type"] for entry in timeline]
        assert kinds == [
            "OrderPlaced",
            "OrderStockReserved",
            "PaymentAuthorized",
            "OrderPaid",
            "ShipmentDispatched",
            "OrderShipped",
            "ShipmentDelivered",
            "OrderDelivered",
        ]
        assert timeline[4]["actor_id"] is not None
        assert "TRACK-1" in timeline[4]["summary"]
        # Shipping took the units out of the warehouse.
        stock = await shop.client.get(
            f"/api/v1/inventory/{teapot['sku']}", headers=bearer(shop.staff)
        )
        for _ in range(100):
            if stock.json()["on_hand"] == 3:
                break
            stock = await shop.client.get(
                f"/api/v1/inventory/{teapot['sku']}", headers=bearer(shop.staff)
            )
        totals = {k: stock.json()[k] for k in ("on_hand", "reserved", "available")}
        assert totals == {"on_hand": 3, "reserved": 0, "available": 3}

        published = await _order_events(
            kafka_bootstrap, f"{prefix}.ordering.events", order["id"], 8
        )
        assert [event_type for event_type, _ in published] == kinds


async def _order_events(
    bootstrap: str, topic: str, order_id: str, count: int
) -> list[tuple[str, dict[str, object]]]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    found: list[tuple[str, dict[str, object]]] = []
    try:
        for _ in range(60):
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                for record in batch:
                    if record.key == f"order-{order_id}".encode():
                        headers = {k: v for k, v in record.headers}
                        found.append((headers["event_type"].decode(), json.loads(record.value)))
            if len(found) >= count:
                break
    finally:
        await consumer.stop()
    return found
