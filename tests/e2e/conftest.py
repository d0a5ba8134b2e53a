"""HTTP through the real app: real PostgreSQL and Redis, the composition root, the lifespan."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from agora.bootstrap import api_config, open_services
from agora.seed import DEMO_PASSWORD
from agora.settings import Settings
from api.app import create_app
from application.identity.commands import ProvisionAccount
from domain.identity.roles import Role
from tests.conftest import make_settings

PASSWORD = "a-long-enough-passphrase"


@dataclass
class Shop:
    """A running app and a client talking to it over ASGI."""

    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings

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
        services = self.app.state.services
        await services.bus.handle(
            ProvisionAccount(
                email=email,
                password=DEMO_PASSWORD,
                full_name=email.split("@")[0],
                roles=frozenset(roles),
            )
        )
        return await self.token_for(email, DEMO_PASSWORD)


ShopFactory = Callable[..., AbstractAsyncContextManager[Shop]]


@pytest.fixture
def shop_factory(
    database_url: str, redis_url: str, redis_prefix: str, clean_database: None
) -> ShopFactory:
    """Start an app with test settings; keyword arguments override auth settings."""

    @asynccontextmanager
    async def start(**auth: object) -> AsyncIterator[Shop]:
        settings = make_settings(
            database_url=database_url, redis_url=redis_url, redis_prefix=redis_prefix, **auth
        )
        app = create_app(
            config=api_config(settings),
            services=lambda: open_services(
                settings, database_url=database_url, redis_url=redis_url
            ),
        )
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://agora.test") as client,
        ):
            yield Shop(app=app, client=client, settings=settings)

    return start


@pytest.fixture
async def shop(shop_factory: ShopFactory) -> AsyncIterator[Shop]:
    async with shop_factory() as running:
        yield running


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# The ordering fixtures start the worker in-process; they live with their helpers.
from tests.e2e.ordering_helpers import ordering_shop, ordering_shop_factory  # noqa: E402, F401
