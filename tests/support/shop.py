"""A running shop for e2e tests: the real app and its composition root on this test's own
database and Redis prefix, and a client talking to it over ASGI; with the worker in-process
(projections, the fulfilment process, the relay) and a simulated payment provider the test can
inspect, for the shops that walk an order's life."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from agora.bootstrap import api_config, open_services
from agora.seed import DEMO_PASSWORD
from agora.settings import (
    KafkaSettings,
    MailSettings,
    NotificationsSettings,
    OrderingSettings,
    PaymentsSettings,
    Settings,
    WebhooksSettings,
    WorkerSettings,
)
from api.app import create_app
from api.services import ApiServices
from application.identity.commands import ProvisionAccount
from domain.identity.values import Role
from infrastructure.payments.simulated import SimulatedProvider

PASSWORD = "a-long-enough-passphrase"
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 Market Street",
    "city": "London",
    "postal_code": "EC1A 1BB",
    "country": "GB",
}
WEBHOOK_SECRET = "test-webhook-secret-0123456789abcdef"
FINAL = {"paid", "rejected", "cancelled", "refunded", "delivered", "shipped"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def a_sku(prefix: str = "P") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}".upper()


@dataclass
class Shop:
    """A running app and a client talking to it over ASGI."""

    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings

    @property
    def services(self) -> ApiServices:
        services: ApiServices = self.app.state.services
        return services

    async def register(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return await self.client.post(
            "/api/v1/users", json={"email": email, "password": password, "full_name": "Test"}
        )

    async def log_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return await self.client.post(
            "/api/v1/auth/token", data={"username": email, "password": password}
        )

    async def token_for(self, email: str, password: str = PASSWORD) -> str:
        response = await self.log_in(email, password)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def account(self, email: str, *roles: Role) -> str:
        """An account with these roles, logged in: returns its access token."""
        await self.services.bus.handle(
            ProvisionAccount(
                email=email,
                password=DEMO_PASSWORD,
                full_name=email.split("@")[0],
                roles=frozenset(roles),
            )
        )
        return await self.token_for(email, DEMO_PASSWORD)

    async def product(
        self,
        staff: str,
        *,
        name: str,
        price: str = "10.00",
        currency: str = "EUR",
        publish: bool = True,
        **fields: Any,
    ) -> dict[str, Any]:
        """A product created (and published) over HTTP by a staff member."""
        body = {"sku": a_sku(), "name": name, "price": {"amount": price, "currency": currency}}
        created = await self.client.post(
            "/api/v1/products", json=body | fields, headers=bearer(staff)
        )
        assert created.status_code == 201, created.text
        if not publish:
            return dict(created.json())
        published = await self.client.post(
            f"/api/v1/products/{created.json()['id']}/publish", headers=bearer(staff)
        )
        assert published.status_code == 200
        return dict(published.json())


@dataclass
class OrderingShop(Shop):
    """A shop whose worker runs in-process, with a payment provider the test inspects."""

    provider: SimulatedProvider
    staff: str = ""

    async def customer(self) -> str:
        return await self.account(f"c-{uuid.uuid4().hex[:8]}@example.com", Role.CUSTOMER)

    async def stocked_product(self, units: int, *, price: str = "12.50") -> dict[str, Any]:
        created = await self.product(self.staff, name="Teapot", price=price)
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

    async def pending_order(self) -> tuple[str, str]:
        """A new customer's order waiting for its payment: versions 1 (placed) and 2
        (reserved). Returns the customer's token and the order id."""
        customer = await self.customer()
        teapot = await self.stocked_product(3)
        await self.fill_cart(customer, teapot["sku"], 1)
        order_id = (await self.check_out(customer, payment_token="tok_pending")).json()["id"]
        await self.wait_status(customer, order_id, "awaiting_payment")
        return customer, order_id


@asynccontextmanager
async def running_app(
    settings: Settings, **services: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app with its lifespan running, and an ASGI client for it."""
    assert settings.database.url is not None
    assert settings.redis.url is not None
    app = create_app(
        config=api_config(settings),
        services=lambda: open_services(
            settings,
            database_url=str(settings.database.url),
            redis_url=str(settings.redis.url),
            **services,
        ),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://agora.test") as client,
    ):
        yield app, client


@asynccontextmanager
async def running_ordering_shop(
    settings: Settings, provider: SimulatedProvider | None = None
) -> AsyncIterator[OrderingShop]:
    """An ordering shop on `settings` (see `ordering_settings`), its worker in-process, with a
    staff account."""
    provider = provider or SimulatedProvider()
    async with running_app(settings, with_worker=True, payments=provider) as (app, client):
        shop = OrderingShop(app=app, client=client, settings=settings, provider=provider)
        shop.staff = await shop.account("staff@example.com", Role.STAFF)
        yield shop


def ordering_settings(
    base: Settings,
    *,
    kafka: str | None = None,
    topic_prefix: str = "agora",
    warehouse_topic: str = "warehouse.shipments",
    payments: dict[str, Any] | None = None,
    ordering: dict[str, Any] | None = None,
    webhooks: dict[str, Any] | None = None,
    notifications: dict[str, Any] | None = None,
    mail: dict[str, Any] | None = None,
) -> Settings:
    """Settings for a shop that walks orders quickly: a fast provider, short sweeps and polls."""
    return base.model_copy(
        update={
            "payments": PaymentsSettings(
                webhook_secret=SecretStr(WEBHOOK_SECRET),
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
            "notifications": NotificationsSettings(**(notifications or {})),
            "mail": MailSettings(**({"backend": "log"} | (mail or {}))),
            "kafka": KafkaSettings(
                bootstrap_servers=kafka, topic_prefix=topic_prefix, warehouse_topic=warehouse_topic
            ),
        }
    )


ShopFactory = Callable[..., AbstractAsyncContextManager[Shop]]
OrderingShopFactory = Callable[..., AbstractAsyncContextManager[OrderingShop]]
