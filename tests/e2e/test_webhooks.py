"""Outbound webhooks: SSRF refusals, signed deliveries a receiver can verify, retries against a
failing receiver (a real local HTTP server), and redelivery by an admin."""

import asyncio
import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from agora.bootstrap import build_registry
from domain.identity.values import Role
from domain.notifications.values import Attempt, RetryPolicy
from infrastructure.http.signatures import verify
from infrastructure.notifications.unit_of_work import SqlNotificationsUnitOfWork
from tests.support.servers import served
from tests.support.shop import OrderingShop, OrderingShopFactory, bearer

SECRET = "receiver-shared-secret-0123456789"


@dataclass
class Receiver:
    """A webhook receiver that answers from a script: a status code, "slow" or "redirect"."""

    script: list[int | str] = field(default_factory=list)
    otherwise: int | str = 200
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        self.paths.append(request.url.path)
        self.received.append((dict(request.headers), await request.body()))
        answer = self.script.pop(0) if self.script else self.otherwise
        if answer == "slow":
            await asyncio.sleep(2)
            answer = 200
        if answer == "redirect":
            # To a path of this very receiver: a client that followed it would show up here.
            response = Response(status_code=302, headers={"Location": "/followed"})
        else:
            response = Response(status_code=int(answer))
        await response(scope, receive, send)


async def admin_of(shop: OrderingShop, name: str) -> str:
    return await shop.account(f"{name}@example.com", Role.ADMIN)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.1/hook",
        "https://localhost/hook",  # a name that resolves to loopback
        "https://[::1]/hook",
        "http://93.184.215.14/hook",  # not https
        "ftp://93.184.215.14/hook",
        "https://user:pass@93.184.215.14/hook",
    ],
)
async def test_webhook_urls_into_the_network_are_refused(
    ordering_shop: OrderingShop, url: str
) -> None:
    shop = ordering_shop
    admin = await admin_of(shop, "ssrf-admin")
    refused = await shop.client.post(
        "/api/v1/webhooks",
        json={"url": url, "event_types": ["OrderPaid"], "secret": SECRET},
        headers=bearer(admin),
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "unsafe_webhook_url"), url


async def test_only_admins_subscribe_and_only_to_known_events(ordering_shop: OrderingShop) -> None:
    shop = ordering_shop
    admin = await admin_of(shop, "hooks-admin")
    body = {"url": "https://93.184.215.14/hook", "event_types": ["OrderPaid"], "secret": SECRET}
    assert (
        await shop.client.post("/api/v1/webhooks", json=body, headers=bearer(shop.staff))
    ).status_code == 403
    unknown = await shop.client.post(
        "/api/v1/webhooks", json=body | {"event_types": ["NoSuchEvent"]}, headers=bearer(admin)
    )
    assert unknown.json()["code"] == "invalid_subscription"
    short = await shop.client.post(
        "/api/v1/webhooks", json=body | {"secret": "short"}, headers=bearer(admin)
    )
    assert short.status_code == 422
    created = await shop.client.post("/api/v1/webhooks", json=body, headers=bearer(admin))
    assert created.status_code == 201
    assert "secret" not in created.json()


async def deliveries(shop: OrderingShop, admin: str, hook: str) -> list[dict[str, Any]]:
    response = await shop.client.get(f"/api/v1/webhooks/{hook}/deliveries", headers=bearer(admin))
    return list(response.json()["items"])


async def settled(shop: OrderingShop, admin: str, hook: str, count: int) -> list[dict[str, Any]]:
    """Wait until `count` deliveries exist and none is pending."""
    for _ in range(300):
        found = await deliveries(shop, admin, hook)
        if len(found) >= count and all(d["status"] != "pending" for d in found):
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"deliveries never settled: {found}")


async def paid_order(shop: OrderingShop) -> str:
    customer = await shop.customer()
    teapot = await shop.stocked_product(3)
    await shop.fill_cart(customer, teapot["sku"], 1)
    order_id = (await shop.check_out(customer)).json()["id"]
    await shop.wait_status(customer, order_id, "paid")
    return str(order_id)


async def test_deliveries_are_signed_retried_recorded_and_redeliverable(
    ordering_shop_factory: OrderingShopFactory,
) -> None:
    receiver = Receiver(script=[500, "slow"])  # then 200
    settings = {
        "allow_http_localhost": True,
        "timeout_seconds": 0.5,
        "max_attempts": 3,
        "backoff_seconds": 0.05,
        "poll_seconds": 0.1,
    }
    async with ordering_shop_factory(webhooks=settings) as shop, served(receiver) as base:
        admin = await admin_of(shop, "delivery-admin")
        hook = (
            await shop.client.post(
                "/api/v1/webhooks",
                json={"url": f"{base}/hook", "event_types": ["OrderPaid"], "secret": SECRET},
                headers=bearer(admin),
            )
        ).json()["id"]

        order_id = await paid_order(shop)
        [first] = await settled(shop, admin, hook, 1)
        assert (first["status"], first["attempts"], first["response_status"]) == (
            "delivered",
            3,
            200,
        )
        headers, body = receiver.received[-1]
        verify(
            SECRET,
            body,
            headers["agora-signature"],
            now=datetime.now(UTC),
            tolerance=timedelta(minutes=5),
        )
        event = json.loads(body)
        assert (event["event_type"], event["payload"]["order_id"]) == ("OrderPaid", order_id)
        assert headers["agora-event-id"] == event["event_id"] == first["event_id"]
        assert len({h["agora-delivery-id"] for h, _ in receiver.received}) == 1  # one delivery

        receiver.otherwise = "redirect"
        await paid_order(shop)
        latest = (await settled(shop, admin, hook, 2))[0]
        assert (latest["status"], latest["attempts"]) == ("failed", 3)
        assert latest["last_error"] == "redirect not followed"
        assert receiver.paths.count("/followed") == 0
        assert receiver.paths.count("/hook") == 3 + 3  # the first delivery's and this one's

        receiver.otherwise = 200
        again = await shop.client.post(
            f"/api/v1/webhooks/{hook}/deliveries/{latest['id']}/redeliver", headers=bearer(admin)
        )
        assert again.status_code == 202
        assert again.json()["status"] == "pending"
        redelivered = (await settled(shop, admin, hook, 2))[0]
        assert (redelivered["status"], redelivered["attempts"]) == ("delivered", 1)


async def test_a_late_outcome_never_overwrites_a_newer_one(
    ordering_shop_factory: OrderingShopFactory, engine: AsyncEngine
) -> None:
    """Two senders that both hold a delivery (a lease that ran out) record one outcome."""
    receiver = Receiver()
    settings = {"allow_http_localhost": True, "poll_seconds": 60.0}  # this test sends itself
    async with ordering_shop_factory(webhooks=settings) as shop, served(receiver) as base:
        admin = await admin_of(shop, "fence-admin")
        hook = (
            await shop.client.post(
                "/api/v1/webhooks",
                json={"url": f"{base}/hook", "event_types": ["OrderPaid"], "secret": SECRET},
                headers=bearer(admin),
            )
        ).json()["id"]
        await paid_order(shop)
        for _ in range(200):
            if await deliveries(shop, admin, hook):
                break
            await asyncio.sleep(0.05)
        now = datetime.now(UTC)
        async with SqlNotificationsUnitOfWork(engine, build_registry()) as uow:
            [leased] = await uow.deliveries.lease(now=now, until=now, limit=1)
            await uow.commit()
        seen = (leased.delivery.attempts, leased.delivery.status)
        policy = RetryPolicy(max_attempts=1)
        for attempt in (Attempt(200), Attempt(None, "timeout")):  # the second is late
            delivery = copy.deepcopy(leased.delivery)
            delivery.record(attempt, now=now, policy=policy, jitter=1.0)
            async with SqlNotificationsUnitOfWork(engine, build_registry()) as uow:
                await uow.deliveries.save(delivery, seen=seen)
                await uow.commit()
        [recorded] = await deliveries(shop, admin, hook)
        assert (recorded["status"], recorded["attempts"]) == ("delivered", 1)
        assert leased.url.endswith("/hook")
        assert leased.secret == SECRET
