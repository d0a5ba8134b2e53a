"""A running shop with the worker in-process (projections, the fulfilment process, the relay),
a simulated payment provider the test can inspect, and helpers to walk an order's life."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.bootstrap import api_config, open_services
from agora.settings import (
    KafkaSettings,
    OrderingSettings,
    PaymentsSettings,
    WebhooksSettings,
    WorkerSettings,
)
from api.app import create_app
from domain.identity.roles import Role
from infrastructure.payments.simulated import SimulatedProvider
from tests.conftest import make_settings
from tests.e2e.catalog_helpers import product
from tests.e2e.conftest import Shop, bearer

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 Market Street",
    "city": "London",
    "postal_code": "EC1A 1BB",
    "country": "GB",
}
WEBHOOK_SECRET = "test-webhook-secret-0123456789abcdef"
FINAL = {"paid", "rejected", "cancelled", "refunded", "delivered", "shipped"}


@dataclass
class OrderingShop(Shop):
    provider: SimulatedProvider
    staff: str = ""

    async def customer(self) -> str:
        return await self.account(f"c-{uuid.uuid4().hex[:8]}@example.com", Role.CUSTOMER)

    async def stocked_product(self, units: int, *, price: str = "12.50") -> dict[str, Any]:
        created = await product(self, self.staff, name="Teapot", price=price)
        received = await self.client.post(
            f"/api/v1/inventory/{created['sku']}/receipts",
            json={"quantity": units},
            headers=bearer(self.staff),
        )
        assert received.status_code == 200, received.text
        return created

    async def fill_cart(self, token: str, sku: str, quantity: int = 1) -> httpx.Response:
        response = await self.client.put(
            f"/api/v1/cart/lines/{sku}", json={"quantity": quantity}, headers=bearer(token)
        )
        assert response.status_code == 200, response.text
        return response

    async def check_out(
        self, token: str, *, payment_token: str = "tok_approve", key: str | None = None
    ) -> httpx.Response:
        return await self.client.post(
            "/api/v1/checkout",
            json={"shipping_address": ADDRESS, "payment_token": payment_token},
            headers=bearer(token) | {"Idempotency-Key": key or uuid.uuid4().hex},
        )

    async def order(self, token: str, order_id: str) -> httpx.Response:
        return await self.client.get(f"/api/v1/orders/{order_id}", headers=bearer(token))

    async def wait_for(
        self,
        token: str,
        order_id: str,
        until: Callable[[dict[str, Any]], bool],
        seconds: float = 20,
    ) -> dict[str, Any]:
        """Poll the read model until `until(order)` holds."""
        body: dict[str, Any] = {}
        for _ in range(int(seconds / 0.05)):
            response = await self.order(token, order_id)
            if response.status_code == 200:
                body = response.json()
                if until(body):
                    return body
            await asyncio.sleep(0.05)
        raise AssertionError(f"order {order_id} never got there; last seen: {body}")

    async def wait_status(
        self, token: str, order_id: str, *statuses: str, seconds: float = 20
    ) -> dict[str, Any]:
        return await self.wait_for(token, order_id, lambda o: o["status"] in statuses, seconds)


OrderingShopFactory = Callable[..., AbstractAsyncContextManager[OrderingShop]]


@pytest.fixture
def ordering_shop_factory(
    database_url: str,
    redis_url: str,
    redis_prefix: str,
    clean_database: None,
    engine: AsyncEngine,
) -> OrderingShopFactory:
    @asynccontextmanager
    async def start(
        *,
        provider: SimulatedProvider | None = None,
        kafka: str | None = None,
        topic_prefix: str = "agora",
        warehouse_topic: str = "warehouse.shipments",
        payments: dict[str, Any] | None = None,
        ordering: dict[str, Any] | None = None,
        webhooks: dict[str, Any] | None = None,
    ) -> AsyncIterator[OrderingShop]:
        provider = provider or SimulatedProvider()
        await skip_earlier_orders(engine)
        base = make_settings(
            database_url=database_url, redis_url=redis_url, redis_prefix=redis_prefix
        )
        settings = base.model_copy(
            update={
                "payments": PaymentsSettings(
                    webhook_secret=WEBHOOK_SECRET,  # type: ignore[arg-type]
                    **{
                        "latency_ms": 0,
                        "timeout_seconds": 0.5,
                        "backoff_seconds": 0.01,
                        "circuit_reset_seconds": 1.0,
                    }
                    | (payments or {}),
                ),
                "ordering": OrderingSettings(**{"sweep_seconds": 0.2} | (ordering or {})),
                "worker": WorkerSettings(poll_interval_seconds=0.2),
                "webhooks": WebhooksSettings(**(webhooks or {})),
                "kafka": KafkaSettings(
                    bootstrap_servers=kafka,
                    topic_prefix=topic_prefix,
                    warehouse_topic=warehouse_topic,
                ),
            }
        )
        app = create_app(
            config=api_config(settings),
            services=lambda: open_services(
                settings,
                database_url=database_url,
                redis_url=redis_url,
                with_worker=True,
                payments=provider,
            ),
        )
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://agora.test") as client,
        ):
            shop = OrderingShop(app=app, client=client, settings=settings, provider=provider)
            shop.staff = await shop.account(f"s-{uuid.uuid4().hex[:8]}@example.com", Role.STAFF)
            yield shop

    return start


@pytest.fixture
async def ordering_shop(ordering_shop_factory: OrderingShopFactory) -> AsyncIterator[OrderingShop]:
    async with ordering_shop_factory() as running:
        yield running


async def skip_earlier_orders(engine: AsyncEngine) -> None:
    """Earlier tests' orders are not this test's business: the fulfilment process starts after
    them, so this shop's payment provider is asked only about this test's orders."""
    async with engine.begin() as conn:
        await conn.execute(
            text(
                """
                INSERT INTO subscription_checkpoints (name, transaction_id, position)
                SELECT 'fulfillment', coalesce(max(transaction_id), 0), coalesce(max(position), 0)
                  FROM event_log
                ON CONFLICT (name) DO UPDATE
                   SET transaction_id = excluded.transaction_id, position = excluded.position
                """
            )
        )
