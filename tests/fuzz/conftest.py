"""The fuzzed shop: the real app served by uvicorn on 127.0.0.1 from a thread with its own event
loop (the fuzzer's client is synchronous), on this test's database and Redis prefix, with the
demo accounts and catalogue seeded, so that the customer and admin identities can log in."""

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from agora.bootstrap import api_config, open_services
from agora.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from agora.server import http_options
from agora.settings import Settings
from api.app import create_app
from api.services import ApiServices
from domain.identity.values import Role
from tests.support.servers import free_port

_EMAILS = {role: account.email for account in DEMO_ACCOUNTS for role in account.roles}
IDENTITIES: dict[str, str | None] = {
    "anonymous": None,
    "customer": _EMAILS[Role.CUSTOMER],
    "admin": _EMAILS[Role.ADMIN],
}


@dataclass(frozen=True)
class FuzzedShop:
    """Where the app answers, and how each identity logs in."""

    base_url: str

    def headers_of(self, identity: str) -> dict[str, str]:
        """Fresh credentials: a fuzzed logout must not end the session of the calls after it."""
        email = IDENTITIES[identity]
        if email is None:
            return {}
        response = httpx.post(
            f"{self.base_url}/api/v1/auth/token",
            data={"username": email, "password": DEMO_PASSWORD},
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def fuzzed_shop(settings: Settings) -> Iterator[FuzzedShop]:
    with _served_in_thread(settings) as base_url:
        yield FuzzedShop(base_url=base_url)


@contextmanager
def _served_in_thread(settings: Settings) -> Iterator[str]:
    port = free_port()
    app = create_app(config=api_config(settings), services=lambda: _seeded(settings))
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            **http_options(settings.http),  # as `agora serve` reads requests (ADR 0019)
        )
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    for _ in range(1200):  # 60 s: seeding hashes the demo accounts' passwords first
        if server.started or not thread.is_alive():
            break
        time.sleep(0.05)
    assert server.started, "the fuzzed app did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        assert not thread.is_alive(), "the fuzzed app did not stop"


@asynccontextmanager
async def _seeded(settings: Settings) -> AsyncIterator[ApiServices]:
    assert settings.database.url is not None
    assert settings.redis.url is not None
    async with open_services(
        settings, database_url=str(settings.database.url), redis_url=str(settings.redis.url)
    ) as services:
        await seed_demo(services)
        yield services
