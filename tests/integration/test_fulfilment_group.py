"""With Kafka configured, fulfilment runs in every worker as a member of one consumer group
over the relay's order topic: two worker processes share the partitions, a member joining
mid-run or one killed mid-run loses no order and charges none twice (ADR 0022)."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.settings import Settings
from domain.identity.values import Role
from infrastructure.db.engine import asyncpg_dsn
from infrastructure.payments.simulated import SimulatedProvider
from tests.support.payment_book import (
    asked_by_reference,
    charges_by_reference,
    prepare_charge_book,
)
from tests.support.shop import OrderingShop, ordering_settings, running_app

ROOT = Path(__file__).resolve().parents[2]
GROUP = "agora-fulfilment"


class WorkerProcess:
    """`agora worker` (through tests/support/worker_process.py) in a subprocess, on Kafka, its
    JSON log lines collected."""

    def __init__(self, *, database_url: str, bootstrap: str, prefix: str, data_dir: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "WORKER_"))}
        env |= {
            "DATABASE_URL": database_url,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "KAFKA_TOPIC_PREFIX": prefix,
            "PAYMENTS_LATENCY_MS": "300",
            # One payment at a time per member, so that one member alone is slow enough for
            # the other to join (a rebalance takes seconds), or be killed, while orders wait.
            "KAFKA_MAX_IN_FLIGHT": "1",
            "WORKER_POLL_INTERVAL_SECONDS": "0.2",
            "AGORA_ENV": "test",
            "AGORA_DATA_DIR": str(data_dir),
        }
        env.pop("REDIS_URL", None)  # a worker without Redis: no live updates to publish
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.worker_process"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.pid = self.process.pid
        self.lines: list[dict[str, object]] = []
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                self.lines.append(json.loads(line))
            except json.JSONDecodeError:
                continue

    def assignments(self) -> list[list[int]]:
        """The partitions of the fulfilment group given to this worker, at each rebalance."""
        return [
            list(entry.get("partitions") or [])  # type: ignore[call-overload]
            for entry in self.lines
            if entry.get("message") == "partitions assigned" and entry.get("consumer") == GROUP
        ]

    def holds_partitions(self) -> bool:
        found = self.assignments()
        return bool(found and found[-1])

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=30)


async def eventually(condition: Callable[[], Awaitable[bool]], what: str, seconds: float) -> None:
    try:
        async with asyncio.timeout(seconds):
            while not await condition():
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(f"waited {seconds} s for {what}") from None


async def now(value: bool) -> bool:
    return value


async def paid_per_order(engine: AsyncEngine) -> dict[str, int]:
    """How many OrderPaid events each order's stream holds."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT stream_id, count(*) FROM event_log WHERE event_type = 'OrderPaid'"
                " GROUP BY stream_id"
            )
        )
        return {str(stream): int(n) for stream, n in rows}


@asynccontextmanager
async def shop_without_worker(settings: Settings) -> AsyncIterator[OrderingShop]:
    """The API in-process, its worker in the test's worker processes."""
    async with running_app(settings) as (app, client):
        shop = OrderingShop(app=app, client=client, settings=settings, provider=SimulatedProvider())
        shop.staff = await shop.account("staff@example.com", Role.STAFF)
        yield shop


async def place_orders(shop: OrderingShop, count: int) -> list[str]:
    customer = await shop.customer()
    teapot = await shop.stocked_product(count)
    placed = []
    for _ in range(count):
        await shop.fill_cart(customer, teapot["sku"], 1)
        response = await shop.check_out(customer)
        assert response.status_code == 201, response.text
        placed.append(f"order-{response.json()['id']}")
    return placed


async def assert_paid_once_and_charged_once(
    engine: AsyncEngine, dsn: str, orders: list[str]
) -> dict[str, list[int]]:
    await asyncio.sleep(1.0)  # a second reaction to any order would show by now
    paid = await paid_per_order(engine)
    assert sorted(paid) == sorted(orders)
    assert set(paid.values()) == {1}
    charges = await charges_by_reference(dsn)
    assert sorted(f"order-{reference}" for reference in charges) == sorted(orders)
    doubled = {reference: pids for reference, pids in charges.items() if len(pids) != 1}
    assert doubled == {}
    return charges


def workers_on(
    settings: Settings, kafka_bootstrap: str, prefix: str, tmp_path: Path
) -> Callable[[], WorkerProcess]:
    assert settings.database.url is not None
    url = settings.database.url
    count = iter(range(10))
    return lambda: WorkerProcess(
        database_url=url,
        bootstrap=kafka_bootstrap,
        prefix=prefix,
        data_dir=tmp_path / f"worker-{next(count)}",
    )


async def test_a_second_worker_joining_mid_run_shares_the_orders_and_none_is_paid_twice(
    engine: AsyncEngine, settings: Settings, kafka_bootstrap: str, tmp_path: Path
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    shop_settings = ordering_settings(settings, kafka=kafka_bootstrap, topic_prefix=prefix)
    dsn = asyncpg_dsn(str(settings.database.url))
    await prepare_charge_book(dsn)
    start = workers_on(settings, kafka_bootstrap, prefix, tmp_path)
    first = start()
    second: WorkerProcess | None = None
    try:
        async with shop_without_worker(shop_settings) as shop:
            orders = await place_orders(shop, 80)
        await eventually(lambda: now(len(first.assignments()) > 0), "the first member", 60)
        await eventually(
            lambda: _at_least(paid_per_order(engine), 3), "the first member to pay some", 60
        )

        second = start()  # the group rebalances while the first member is busy
        await eventually(lambda: now(second.holds_partitions()), "the second member's share", 60)
        await eventually(lambda: _at_least(paid_per_order(engine), 80), "every order paid", 120)

        charges = await assert_paid_once_and_charged_once(engine, dsn, orders)
        charged_by = {pid for pids in charges.values() for pid in pids}
        assert charged_by == {first.pid, second.pid}  # both members took payments
        # The book dedupes charges by reference, as a real provider does; what the handover
        # itself must get right is that no order is worked on twice: the provider was asked
        # exactly once for each.
        asked = await asked_by_reference(dsn)
        assert {reference: pids for reference, pids in asked.items() if len(pids) != 1} == {}
        assert first.stop() == 0
        assert second.stop() == 0
    finally:
        for worker in (first, second):
            if worker is not None and worker.process.poll() is None:
                worker.stop(signal.SIGKILL)


async def test_a_worker_killed_mid_run_loses_no_order_and_charges_none_twice(
    engine: AsyncEngine, settings: Settings, kafka_bootstrap: str, tmp_path: Path
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    shop_settings = ordering_settings(settings, kafka=kafka_bootstrap, topic_prefix=prefix)
    dsn = asyncpg_dsn(str(settings.database.url))
    await prepare_charge_book(dsn)
    start = workers_on(settings, kafka_bootstrap, prefix, tmp_path)
    first, second = start(), start()
    try:
        async with shop_without_worker(shop_settings) as shop:
            orders = await place_orders(shop, 1)  # the relay's first event makes the topic
            await eventually(
                lambda: now(first.holds_partitions() and second.holds_partitions()),
                "both members to hold partitions",
                90,
            )
            orders += await place_orders(shop, 60)
        await eventually(lambda: _at_least(paid_per_order(engine), 10), "some orders paid", 60)

        first.stop(signal.SIGKILL)  # mid-run: no clean shutdown, no handover
        assert len(await paid_per_order(engine)) < len(orders)  # work was left to take over
        await eventually(
            lambda: now(second.holds_partitions() and len(second.assignments()) > 1),
            "the survivor to take every partition",
            60,
        )
        await eventually(lambda: _at_least(paid_per_order(engine), 61), "every order paid", 120)

        await assert_paid_once_and_charged_once(engine, dsn, orders)
        # Only what the killed member had in flight (one order: KAFKA_MAX_IN_FLIGHT is 1) may
        # have been asked again, and then first by it and again by the survivor.
        asked = await asked_by_reference(dsn)
        again = {reference: pids for reference, pids in asked.items() if len(pids) != 1}
        assert len(again) <= 1, again
        assert all(
            pids[0] == first.pid and set(pids[1:]) == {second.pid} for pids in again.values()
        )
        assert second.stop() == 0
    finally:
        for worker in (first, second):
            if worker.process.poll() is None:
                worker.stop(signal.SIGKILL)


async def _at_least(paid: Awaitable[dict[str, int]], count: int) -> bool:
    return len(await paid) >= count
