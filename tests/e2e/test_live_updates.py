"""Live order updates over real TCP: SSE with resume, the staff WebSocket, and fan-out from one
API process to another through Redis."""

import asyncio
import json
import uuid

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from domain.identity.values import Role
from tests.support.servers import SseReader, order_stream, replica, served
from tests.support.shop import OrderingShop, bearer


async def cancel(shop: OrderingShop, token: str, order_id: str) -> None:
    response = await shop.client.post(
        f"/api/v1/orders/{order_id}/cancel",
        json={"reason": "changed my mind"},
        headers=bearer(token) | {"Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 200, response.text


async def test_an_order_changed_through_one_process_streams_from_another_and_resumes(
    ordering_shop: OrderingShop, database_url: str, redis_url: str
) -> None:
    shop = ordering_shop
    customer, order_id = await shop.pending_order()
    with replica(shop.settings, database_url, redis_url) as other:
        async with order_stream(other, order_id, customer) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = SseReader(stream)
            history = await events.next(2)
            assert [(e.id, e.data["event_type"]) for e in history] == [
                ("1", "OrderPlaced"),
                ("2", "OrderStockReserved"),
            ]
            await cancel(shop, customer, order_id)  # through this process, not the replica
            live = [e for e in await events.next(3) if e.comment is None]
            assert live[0].id == "3"
            assert live[0].data["status"] == "cancelled"

        # Reconnect after event 2: event 3 comes from the log, then heartbeats keep it open.
        async with order_stream(other, order_id, customer, last_event_id="2") as stream:
            resumed = await SseReader(stream).next(2)
            assert (resumed[0].id, resumed[0].event) == ("3", "order")
            assert resumed[0].data["event_type"] == "OrderCancelled"
            assert resumed[1].comment == "heartbeat"

        stranger = await shop.customer()
        async with httpx.AsyncClient(base_url=other, timeout=20) as client:
            hidden = await client.get(f"/api/v1/orders/{order_id}/stream", headers=bearer(stranger))
            assert (hidden.status_code, hidden.json()["code"]) == (404, "order_not_found")
            anonymous = await client.get(f"/api/v1/orders/{order_id}/stream")
            assert anonymous.status_code == 401


async def test_a_client_that_leaves_ends_its_stream(ordering_shop: OrderingShop) -> None:
    shop = ordering_shop
    customer, order_id = await shop.pending_order()
    feed = shop.services.ordering
    async with served(shop.app) as base, httpx.AsyncClient(base_url=base, timeout=20) as client:
        async with client.stream(
            "GET", f"/api/v1/orders/{order_id}/stream", headers=bearer(customer)
        ) as stream:
            await SseReader(stream).next(2)
            assert feed.listeners == 1
        for _ in range(100):
            if feed.listeners == 0:
                break
            await asyncio.sleep(0.05)
        assert feed.listeners == 0


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/api/v1/ws/orders"


async def closed_with(socket: websockets.ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(socket.recv(), 5)
    return closed.value.rcvd.code if closed.value.rcvd else None


async def test_the_staff_websocket_refuses_strangers_and_streams_changes_to_staff(
    ordering_shop: OrderingShop, database_url: str, redis_url: str
) -> None:
    shop = ordering_shop
    customer, order_id = await shop.pending_order()
    with replica(shop.settings, database_url, redis_url) as other:
        async with websockets.connect(ws_url(other)) as silent:
            assert await closed_with(silent) == 1008  # never authenticated
        async with websockets.connect(ws_url(other)) as forged:
            await forged.send(json.dumps({"type": "authenticate", "token": "not-a-jwt"}))
            assert await closed_with(forged) == 1008
        async with websockets.connect(ws_url(other)) as nested:
            await nested.send("[" * 5_000)  # refused as a policy violation, not a crash
            assert await closed_with(nested) == 1008
        async with websockets.connect(ws_url(other)) as customers:
            await customers.send(json.dumps({"type": "authenticate", "token": customer}))
            assert await closed_with(customers) == 1008  # not staff

        async with websockets.connect(ws_url(other)) as staff:
            await staff.send(json.dumps({"type": "authenticate", "token": shop.staff}))
            assert json.loads(await asyncio.wait_for(staff.recv(), 5)) == {"type": "ready"}
            await cancel(shop, customer, order_id)
            update = json.loads(await asyncio.wait_for(staff.recv(), 10))
            assert update["type"] == "order"
            assert (update["order_id"], update["status"]) == (order_id, "cancelled")


async def test_a_staff_feed_ends_when_its_session_does(
    ordering_shop: OrderingShop, database_url: str, redis_url: str
) -> None:
    shop = ordering_shop
    staff = await shop.account("short-lived@example.com", Role.STAFF)
    with replica(shop.settings, database_url, redis_url) as other:
        async with websockets.connect(ws_url(other)) as feed:
            await feed.send(json.dumps({"type": "authenticate", "token": staff}))
            assert json.loads(await asyncio.wait_for(feed.recv(), 5)) == {"type": "ready"}
            logged_out = await shop.client.post("/api/v1/auth/logout", headers=bearer(staff))
            assert logged_out.status_code == 204
            assert await closed_with(feed) == 1008  # at the next heartbeat (0.5 s here)
