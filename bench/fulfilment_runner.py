"""Fulfilment throughput of one worker, and what an idle wake-up costs.

Places `--orders` checkouts through the bus with the worker stopped, then starts one worker
(every subscriber, as `agora worker` runs them) with the simulated provider at
`--latency-ms`, and times until every order is paid: paid orders/s. Then, with the worker
idle, appends one user event (only the account history and the webhook dispatcher read those)
and counts the SQL statements the worker's subscribers run in answer. Run the same script from
another checkout for a baseline in the same run; it uses only interfaces both share. Needs
DATABASE_URL (a server where it may create and drop a scratch database)."""

import argparse
import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import asyncpg
from pydantic import SecretStr
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from agora.bootstrap import platform, wire_all
from agora.platform import Platform
from agora.settings import (
    AppSettings,
    AuthSettings,
    DatabaseSettings,
    PaymentsSettings,
    Settings,
)
from agora.worker import running_worker
from application.catalog.commands import CreateProduct, PublishProduct
from application.inventory.commands import ReceiveStock
from application.ordering import commands as c
from domain.identity.events import UserProfileUpdated
from domain.ordering.values import ShippingAddress
from infrastructure.db.engine import asyncpg_dsn
from infrastructure.db.migrations import upgrade_to_head
from infrastructure.eventlog.store import EventStore, NewEvents, PendingEvent
from infrastructure.ordering.tables import order_views

ADDRESS = ShippingAddress(
    name="Ada", line1="1 Main St", line2=None, city="Paris", postal_code="75001", country="FR"
)


@asynccontextmanager
async def scratch_database(url: str) -> AsyncIterator[str]:
    name = f"bench_fulfilment_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        scratch = make_url(url).set(database=name).render_as_string(hide_password=False)
        await asyncio.to_thread(upgrade_to_head, scratch)
        yield scratch
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


IDLE_SECONDS, AFTER_SECONDS = 3.0, 0.5


def settings_for(url: str, latency_ms: int) -> Settings:
    return Settings(
        app=AppSettings(env="test"),
        database=DatabaseSettings(url=url, pool_size=10),
        auth=AuthSettings(jwt_secret=SecretStr("bench-secret-that-is-long-enough-for-hs256-0123")),
        payments=PaymentsSettings(latency_ms=latency_ms, circuit_threshold=100),
    )


async def place_orders(p: Platform, count: int) -> None:
    sku = f"B-{uuid.uuid4().hex[:8]}".upper()
    product = await p.bus.handle(
        CreateProduct(sku=sku, name="Mug", description="", amount="9.50", currency="EUR")
    )
    await p.bus.handle(PublishProduct(product_id=product.id))
    await p.bus.handle(ReceiveStock(sku=sku, quantity=count * 2, actor_id=None))

    async def one() -> None:
        customer = uuid.uuid4()
        await p.bus.handle(c.SetCartLine(customer_id=customer, sku=sku, quantity=1))
        await p.bus.handle(
            c.CheckOut(
                customer_id=customer,
                idempotency_key=uuid.uuid4().hex,
                shipping_address=ADDRESS,
                payment_token="tok_approve",  # noqa: S106 - a test card token
            )
        )

    for start in range(0, count, 16):
        await asyncio.gather(*(one() for _ in range(min(16, count - start))))


async def append_elsewhere(url: str, p: Platform) -> None:
    """One user event, appended on an engine of its own, so that only the worker's statements
    are counted on the platform's."""
    other = create_async_engine(make_url(url).set(drivername="postgresql+asyncpg"))
    profile = UserProfileUpdated(occurred_at=datetime.now(UTC), user_id=uuid.uuid4(), full_name="I")
    try:
        async with other.begin() as conn:
            await EventStore(conn, p.registry).append(
                [NewEvents("user", f"user-{uuid.uuid4()}", [PendingEvent.new(profile)])]
            )
    finally:
        await other.dispose()


async def paid(p: Platform) -> int:
    async with p.engine.connect() as conn:
        query = select(func.count()).where(order_views.c.status == "paid")
        return int((await conn.execute(query)).scalar_one())


async def measure(url: str, orders: int, latency_ms: int) -> None:
    async with scratch_database(url) as scratch:
        settings = settings_for(scratch, latency_ms)
        async with platform(settings, database_url=scratch, redis_url=None) as p:
            wirings = wire_all(p)
            await place_orders(p, orders)
            statements = 0

            def count(*_: object) -> None:
                nonlocal statements
                statements += 1

            started = time.perf_counter()
            async with running_worker(p, wirings):
                for _ in range(int(600 / 0.05)):  # bounded: ten minutes at most
                    if await paid(p) >= orders:
                        break
                    await asyncio.sleep(0.05)
                elapsed = time.perf_counter() - started
                done = await paid(p)
                await asyncio.sleep(1.0)  # let every subscriber catch up and fall idle
                event.listen(p.engine.sync_engine, "before_cursor_execute", count)
                await asyncio.sleep(IDLE_SECONDS)
                idle = statements
                await append_elsewhere(scratch, p)
                await asyncio.sleep(AFTER_SECONDS)
                event.remove(p.engine.sync_engine, "before_cursor_execute", count)
    idle_rate = idle / IDLE_SECONDS
    answer = statements - idle - idle_rate * AFTER_SECONDS
    print(f"latency {latency_ms} ms, {orders} orders: {done} paid in {elapsed:.1f} s")
    print(f"paid orders/s: {done / elapsed:.1f}")
    print(f"idle polling: {idle_rate:.1f} statements/s")
    print(f"statements in answer to one user event, above the idle rate: {answer:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--latency-ms", type=int, default=300)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("set DATABASE_URL")
    orders = max(1, min(args.orders, 5_000))
    asyncio.run(measure(url, orders, max(0, min(args.latency_ms, 5_000))))


if __name__ == "__main__":
    main()
