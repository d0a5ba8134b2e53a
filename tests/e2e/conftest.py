"""HTTP through the real app: real PostgreSQL and Redis, the composition root, the lifespan;
each test on its own database (see `tests/conftest.py`)."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from agora.settings import Settings
from application.shared.clock import Clock
from infrastructure.payments.simulated import SimulatedProvider
from tests.support.mail import Inbox, MailShopFactory, smtp_server, with_mail
from tests.support.settings import settings_for
from tests.support.shop import (
    OrderingShop,
    OrderingShopFactory,
    Shop,
    ShopFactory,
    ordering_settings,
    running_app,
    running_ordering_shop,
)


@pytest.fixture
def shop_factory(database_url: str, redis_url: str, redis_prefix: str) -> ShopFactory:
    """Start an app with test settings; keyword arguments override auth settings."""

    @asynccontextmanager
    async def start(**auth: Any) -> AsyncIterator[Shop]:
        settings = settings_for(
            database_url=database_url, redis_url=redis_url, redis_prefix=redis_prefix, **auth
        )
        async with running_app(settings) as (app, client):
            yield Shop(app=app, client=client, settings=settings)

    return start


@pytest.fixture
async def shop(shop_factory: ShopFactory) -> AsyncIterator[Shop]:
    async with shop_factory() as running:
        yield running


@pytest.fixture
def ordering_shop_factory(settings: Settings) -> OrderingShopFactory:
    """Start an app with the worker in-process; keyword arguments tune ordering's settings."""

    @asynccontextmanager
    async def start(
        *, provider: SimulatedProvider | None = None, **overrides: Any
    ) -> AsyncIterator[OrderingShop]:
        tuned = ordering_settings(settings, **overrides)
        async with running_ordering_shop(tuned, provider) as shop:
            yield shop

    return start


@pytest.fixture
async def ordering_shop(ordering_shop_factory: OrderingShopFactory) -> AsyncIterator[OrderingShop]:
    async with ordering_shop_factory() as running:
        yield running


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on a free port, and what it received."""
    with smtp_server() as running:
        yield running


@pytest.fixture
def mail_shop_factory(
    database_url: str, redis_url: str, redis_prefix: str, inbox: Inbox
) -> MailShopFactory:
    """Start an app whose mail goes to `inbox`; `clock` replaces the clock, other keyword
    arguments override auth settings. Its mail is sent by `tests.support.mail.mail_to`."""

    @asynccontextmanager
    async def start(*, clock: Clock | None = None, **auth: Any) -> AsyncIterator[Shop]:
        settings = with_mail(
            settings_for(
                database_url=database_url, redis_url=redis_url, redis_prefix=redis_prefix, **auth
            ),
            inbox,
        )
        services = {} if clock is None else {"clock": clock}
        async with running_app(settings, **services) as (app, client):
            yield Shop(app=app, client=client, settings=settings)

    return start
