"""The warehouse over Kafka (a real Kafka-protocol broker): shipment reports ship and deliver
orders, duplicates change nothing, bad messages go to the dead-letter topic with the reason,
and the order's events flow back out, matching the published contract."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import jsonschema
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from infrastructure.kafka.contracts import WAREHOUSE_SHIPMENTS, published_events
from tests.support.shop import OrderingShop, OrderingShopFactory, bearer

CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


async def read(bootstrap: str, topic: str, *, at_least: int, key: bytes | None = None) -> list[Any]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    found: list[Any] = []
    try:
        for _ in range(60):
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                found += [r for r in batch if key is None or r.key == key]
            if len(found) >= at_least:
                break
    finally:
        await consumer.stop()
    return found


async def order_in(shop: OrderingShop, token: str) -> tuple[str, str]:
    customer = await shop.customer()
    teapot = await shop.stocked_product(5)
    await shop.fill_cart(customer, teapot["sku"], 1)
    order_id = (await shop.check_out(customer, payment_token=token)).json()["id"]
    await shop.wait_status(customer, order_id, "paid", "awaiting_payment")
    return customer, order_id


def report(order_id: str, **fields: Any) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {
        "message_id": uuid.uuid4().hex,
        "order_id": order_id,
        "tracking_number": "WH-1",
        "carrier": "DHL",
        "shipped_at": now,
    } | fields


async def test_shipment_reports_ship_and_deliver_and_bad_ones_are_dead_lettered(
    ordering_shop_factory: OrderingShopFactory, kafka_bootstrap: str
) -> None:
    prefix, topic = f"wh-{uuid.uuid4().hex[:8]}", f"shipments-{uuid.uuid4().hex[:8]}"
    async with ordering_shop_factory(
        kafka=kafka_bootstrap, topic_prefix=prefix, warehouse_topic=topic
    ) as shop:
        customer, paid = await order_in(shop, "tok_approve")
        unpaid_owner, unpaid = await order_in(shop, "tok_pending")
        shipped = report(paid)
        delivered = report(
            paid, shipped_at=shipped["shipped_at"], delivered_at=datetime.now(UTC).isoformat()
        )
        impossible = report(unpaid)
        unknown = report(str(uuid.uuid4()))
        for good in (shipped, delivered):
            jsonschema.validate(good, WAREHOUSE_SHIPMENTS, format_checker=CHECKER)

        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        try:
            for message in (shipped, shipped, b"{not json", impossible, unknown, delivered):
                value = message if isinstance(message, bytes) else json.dumps(message).encode()
                await producer.send_and_wait(topic, value, key=b"one-partition")
        finally:
            await producer.stop()

        final = await shop.wait_status(customer, paid, "delivered")
        assert final["tracking_number"] == "WH-1"
        assert final["carrier"] == "DHL"
        timeline = (
            await shop.client.get(f"/api/v1/orders/{paid}/timeline", headers=bearer(customer))
        ).json()["items"]
        assert [e["event_type"] for e in timeline].count("OrderShipped") == 1
        assert (await shop.order(unpaid_owner, unpaid)).json()["status"] == "awaiting_payment"

        dead = await read(kafka_bootstrap, f"{topic}.dlq", at_least=3)
        reasons = [({k: v.decode() for k, v in r.headers}["dlq_reason"], r.value) for r in dead]
        assert [reason for reason, _ in reasons] == ["malformed", "unprocessable", "unprocessable"]
        errors = [{k: v.decode() for k, v in r.headers}["dlq_error"] for r in dead]
        assert "not paid" in errors[1] or "only paid orders are shipped" in errors[1]
        assert errors[2] == f"no order {unknown['order_id']}"

        published = await read(
            kafka_bootstrap, f"{prefix}.ordering.events", at_least=8, key=f"order-{paid}".encode()
        )
        contract = published_events("ordering")
        envelopes = [json.loads(r.value) for r in published]
        for envelope in envelopes:
            jsonschema.validate(envelope, contract, format_checker=CHECKER)
        kinds = [e["event_type"] for e in envelopes]
        assert kinds[-4:] == [
            "ShipmentDispatched",
            "OrderShipped",
            "ShipmentDelivered",
            "OrderDelivered",
        ]


async def test_version_2_reports_ship_parcels_of_some_lines_and_deliver_each(
    ordering_shop_factory: OrderingShopFactory, kafka_bootstrap: str
) -> None:
    topic = f"shipments-{uuid.uuid4().hex[:8]}"
    async with ordering_shop_factory(kafka=kafka_bootstrap, warehouse_topic=topic) as shop:
        customer = await shop.customer()
        teapot = await shop.stocked_product(5)
        await shop.fill_cart(customer, teapot["sku"], 3)
        order_id = (await shop.check_out(customer)).json()["id"]
        await shop.wait_status(customer, order_id, "paid")
        parcel, sku, now = str(uuid.uuid4()), teapot["sku"], datetime.now(UTC).isoformat()
        first = report(
            order_id,
            schema_version=2,
            shipment_id=parcel,
            lines=[{"sku": sku, "quantity": 2}],
            location="main",
        )
        too_many = report(
            order_id, schema_version=2, tracking_number="WH-9", lines=[{"sku": sku, "quantity": 2}]
        )
        arrived = {
            "schema_version": 2,
            "message_id": uuid.uuid4().hex,
            "order_id": order_id,
            "shipment_id": parcel,
            "delivered_at": now,
        }
        rest = report(
            order_id, schema_version=2, tracking_number="WH-2", shipped_at=now, delivered_at=now
        )
        messages = (first, first | {"message_id": "again"}, too_many, arrived, rest)
        for message in messages:
            jsonschema.validate(message, WAREHOUSE_SHIPMENTS, format_checker=CHECKER)
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        try:
            for message in messages:
                await producer.send_and_wait(topic, json.dumps(message).encode(), key=b"one")
        finally:
            await producer.stop()

        final = await shop.wait_status(customer, order_id, "delivered")
        shipments = final["shipments"]
        assert [(s["id"], s["location"], s["lines"]) for s in shipments] == [
            (parcel, "main", [{"sku": sku, "quantity": 2}]),
            (shipments[1]["id"], None, [{"sku": sku, "quantity": 1}]),
        ]
        assert all(s["delivered_at"] for s in shipments)
        dead = await read(kafka_bootstrap, f"{topic}.dlq", at_least=1)
        (error,) = [{k: v.decode() for k, v in r.headers}["dlq_error"] for r in dead]
        assert "2 unit(s)" in error
