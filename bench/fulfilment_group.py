"""Fulfilment as a Kafka consumer group: paid orders per second with 1 and 2 worker processes,
next to the event-log runner (no Kafka, 1 worker) measured in the same run.

Each scenario gets its own scratch database: `--orders` orders are checked out through the bus
first (nothing runs yet), then the workers start (`agora worker`, the simulated provider at
`--latency-ms`, `KAFKA_MAX_IN_FLIGHT` at `--max-in-flight`) on librdkafka's mock cluster
(tests/support/kafka_broker.py) and pay them. The rate is taken from the log itself: the orders
paid after the group's last rebalance (each worker's last "partitions assigned" line), between
the 10th and the 90th percentile of their `OrderPaid` times. CPU is the workers' own (user +
system, from the kernel's accounting of each exited process) per paid order, start-up included.

Usage: .venv/bin/python bench/fulfilment_group.py [--orders 300 --latency-ms 300
       --max-in-flight 16]
"""

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import asyncpg
from scratch import scratch_database  # bench/ is on the path when a bench runs

from agora.bootstrap import platform, wire_all
from agora.settings import Settings
from application.catalog.commands import CreateProduct, PublishProduct
from application.identity.commands import ProvisionAccount
from application.inventory.commands import ReceiveStock
from application.ordering.commands import CheckOut, SetCartLine
from domain.identity.values import Role
from domain.ordering.values import ShippingAddress
from infrastructure.db.engine import asyncpg_dsn

ROOT = Path(__file__).resolve().parents[1]
ADDRESS = ShippingAddress(
    name="Ada", line1="1 Main St", line2=None, city="Paris", postal_code="75001", country="FR"
)
DRAIN_LIMIT = 300.0  # seconds a scenario may take to pay every order
CUSTOMERS = 8


@dataclass(frozen=True)
class Scenario:
    name: str
    workers: int
    kafka: bool


@dataclass(frozen=True)
class Result:
    rate: float  # paid orders/s between the 10th and 90th percentile
    cpu_ms: float  # workers' CPU per paid order
    measured: int  # orders paid after the last rebalance


@dataclass(frozen=True)
class Shop:
    sku: str
    customers: list[uuid.UUID]


async def open_shop(database_url: str, stock: int) -> Shop:
    async with platform(Settings(), database_url=database_url, redis_url=None) as p:
        wire_all(p)
        sku = f"BENCH-{uuid.uuid4().hex[:6]}".upper()
        product = await p.bus.handle(
            CreateProduct(sku=sku, name="Teapot", description="", amount="12.50", currency="EUR")
        )
        await p.bus.handle(PublishProduct(product_id=product.id))
        await p.bus.handle(ReceiveStock(sku=sku, quantity=stock, actor_id=None))
        customers = []
        for n in range(CUSTOMERS):
            account = await p.bus.handle(
                ProvisionAccount(
                    email=f"bench-{n}-{uuid.uuid4().hex[:8]}@example.com",
                    password="a-long-enough-passphrase",  # noqa: S106 - a scratch database
                    full_name="Bench",
                    roles=frozenset({Role.CUSTOMER}),
                )
            )
            customers.append(account.id)
        return Shop(sku=sku, customers=customers)


async def place_orders(database_url: str, shop: Shop, count: int) -> None:
    """`count` checkouts, by every customer at once, each customer's one after another."""
    async with platform(Settings(), database_url=database_url, redis_url=None) as p:
        wire_all(p)

        async def buy(customer: uuid.UUID, orders: int) -> None:
            for _ in range(orders):
                await p.bus.handle(SetCartLine(customer_id=customer, sku=shop.sku, quantity=1))
                await p.bus.handle(
                    CheckOut(
                        customer_id=customer,
                        idempotency_key=uuid.uuid4().hex,
                        shipping_address=ADDRESS,
                        payment_token="tok_approve",  # noqa: S106 - the simulated provider's card
                    )
                )

        share, rest = divmod(count, len(shop.customers))
        await asyncio.gather(*(buy(c, share + (n < rest)) for n, c in enumerate(shop.customers)))


@dataclass(frozen=True)
class Knobs:
    latency_ms: int
    max_in_flight: int
    kafka: str


def start_worker(
    database_url: str, data_dir: Path, knobs: Knobs, kafka: str | None, run: str
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "WORKER_"))}
    env |= {
        "DATABASE_URL": database_url,
        "AGORA_DATA_DIR": str(data_dir),
        "AGORA_LOG_LEVEL": "INFO",
        "AGORA_LOG_FORMAT": "json",
        "PAYMENTS_LATENCY_MS": str(knobs.latency_ms),
        "KAFKA_MAX_IN_FLIGHT": str(knobs.max_in_flight),
    }
    env.pop("REDIS_URL", None)
    if kafka:
        env |= {
            "KAFKA_BOOTSTRAP_SERVERS": kafka,
            "KAFKA_TOPIC_PREFIX": run,
            "KAFKA_CLIENT_ID": run,
        }
    agora = str(Path(sys.executable).parent / "agora")
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / "worker.log").open("wb") as log:
        return subprocess.Popen(  # noqa: S603 - our own console script
            [agora, "worker"], env=env, stdout=log, stderr=subprocess.DEVNULL
        )


def assignments(log: Path, group: str) -> list[float]:
    """When the worker was given partitions of `group` (a rebalance ended), epoch seconds."""
    found = []
    for line in log.read_text().splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if entry.get("message") == "partitions assigned" and entry.get("consumer") == group:
            found.append(datetime.fromisoformat(str(entry["time"])).timestamp())
    return found


async def paid_times(dsn: str) -> list[float]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT extract(epoch FROM recorded_at) AS t FROM event_log"
            " WHERE event_type = 'OrderPaid' ORDER BY position"
        )
    finally:
        await conn.close()
    return sorted(float(row["t"]) for row in rows)


async def wait_paid(dsn: str, count: int) -> list[float]:
    deadline = time.monotonic() + DRAIN_LIMIT
    while time.monotonic() < deadline:
        times = await paid_times(dsn)
        if len(times) >= count:
            return times
        await asyncio.sleep(0.5)
    raise SystemExit(f"only {len(await paid_times(dsn))} of {count} orders paid in time")


def stop_and_account(worker: subprocess.Popen[bytes]) -> float:
    """SIGTERM, wait, and return the process's CPU seconds (user + system)."""
    worker.send_signal(signal.SIGTERM)
    _, _, usage = os.wait4(worker.pid, 0)
    worker.returncode = 0
    return usage.ru_utime + usage.ru_stime


def run(scenario: Scenario, *, orders: int, knobs: Knobs) -> Result:
    with scratch_database() as (url, data_dir):
        dsn = asyncpg_dsn(url)
        shop = asyncio.run(open_shop(url, orders))
        asyncio.run(place_orders(url, shop, orders))
        tag = f"bench{uuid.uuid4().hex[:6]}"
        kafka = knobs.kafka if scenario.kafka else None
        dirs = [data_dir / f"w{n}" for n in range(scenario.workers)]
        workers = [start_worker(url, d, knobs, kafka, tag) for d in dirs]
        try:
            times = asyncio.run(wait_paid(dsn, orders))
        finally:
            cpu = sum(stop_and_account(w) for w in workers if w.poll() is None)
        logs = [d / "worker.log" for d in dirs]
        ended = [t for log in logs for t in assignments(log, f"{tag}-fulfilment")]
    # The last rebalance while orders were still being paid (stopping the workers makes more).
    stable = max([t for t in ended if t < times[-1]], default=0.0)
    after = [t for t in times if t > stable]
    if len(after) < 20:
        raise SystemExit(f"{scenario.name}: only {len(after)} orders paid after the last rebalance")
    low, high = after[len(after) // 10], after[len(after) * 9 // 10]
    rate = (len(after) * 8 // 10) / max(high - low, 1e-6)
    return Result(rate=rate, cpu_ms=cpu * 1000 / len(times), measured=len(after))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--latency-ms", type=int, default=300)
    parser.add_argument("--max-in-flight", type=int, default=16)
    args = parser.parse_args()
    broker = subprocess.Popen(  # noqa: S603 - the tests' mock cluster helper
        [sys.executable, str(ROOT / "tests" / "support" / "kafka_broker.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert broker.stdin is not None
    assert broker.stdout is not None
    try:
        kafka = broker.stdout.readline().strip()
        scenarios = [
            Scenario("event-log runner, 1 worker (no Kafka)", 1, kafka=False),
            Scenario("Kafka group, 1 worker", 1, kafka=True),
            Scenario("Kafka group, 2 workers", 2, kafka=True),
        ]
        knobs = Knobs(latency_ms=args.latency_ms, max_in_flight=args.max_in_flight, kafka=kafka)
        results = {s.name: run(s, orders=args.orders, knobs=knobs) for s in scenarios}
    finally:
        broker.stdin.close()
        broker.wait(timeout=30)
    one = results[scenarios[1].name].rate
    print(
        f"\n{args.orders} orders, provider latency {args.latency_ms} ms,"
        f" KAFKA_MAX_IN_FLIGHT={args.max_in_flight}\n"
    )
    print("| scenario | paid orders/s | orders measured | worker CPU ms per order | vs 1 member |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r.rate:.1f} | {r.measured} | {r.cpu_ms:.0f} | {r.rate / one:.2f}x |")


if __name__ == "__main__":
    main()
