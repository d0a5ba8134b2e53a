"""Fulfilment end to end: N checkouts from 16 clients against `agora serve`, then the time until
all of them are paid, with `agora worker` in 1 or 2 separate processes and the simulated
payment provider at 0, 100 and 300 ms; for the event-log runner and for a Kafka consumer
group (workers started with KAFKA_BOOTSTRAP_SERVERS on the mock cluster).

paid orders/s counts from the first checkout's OrderPlaced to the last OrderPaid; checkout ->
paid is, per order, OrderPaid's recorded_at minus OrderPlaced's (both from the event log, so
the runner or group doing the work does not matter); CPU is the worker processes' own, per
paid order. Each row's base is the event-log runner with 1 worker at the same latency."""

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
from checkout import agora_checkouts, customers, stock_product
from harness import Process, Row, Services, Table, agora_serve, agora_workers, connect, cpu_seconds

from infrastructure.db.engine import asyncpg_dsn

GROUP = "fulfilment"
CLIENTS = 16
NOT_AVAILABLE = "n/a (group mode not available)"


@dataclass(frozen=True)
class Shop:
    """A running API on its own database, with customers and a stocked product."""

    services: Services
    url: str
    api: Process
    base_url: str
    accounts: list[dict[str, str]]


@contextlib.contextmanager
def shop(services: Services, *, label: str, stock: int) -> Iterator[Shop]:
    with (
        services.database(label) as url,
        agora_serve(services, url, label=f"{label}-api", AGORA_DEMO="true") as (api, base_url),
    ):

        async def prepare() -> list[dict[str, str]]:
            async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
                accounts = await customers(client, CLIENTS)
                await stock_product(client, stock)
                return accounts

        yield Shop(services, url, api, base_url, asyncio.run(prepare()))


def group_mode(workers: list[Process]) -> bool:
    """Whether workers started with KAFKA_BOOTSTRAP_SERVERS run fulfilment as consumer-group
    members: none lists `fulfilment` among its event-log subscribers in its start-up line.
    BENCH_KAFKA_GROUP=1 or 0 overrides the check."""
    forced = os.environ.get("BENCH_KAFKA_GROUP")
    if forced in ("0", "1"):
        return forced == "1"
    for worker in workers:
        for line in worker.output().splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if (
                    isinstance(entry, dict)
                    and entry.get("message") == "worker running"
                    and "fulfilment" in (entry.get("subscribers") or [])
                ):
                    return False
    return True


def wait_settled_group(workers: list[Process], limit: float = 120) -> None:
    """Before a Kafka row is timed: every member holds partitions of the fulfilment group (the
    rebalance is over), and the workers have gone quiet, having read the topic's history that
    earlier rows left (a new group starts at its beginning, ADR 0022). What is timed is then
    the group working, not it joining or catching up."""
    deadline = time.monotonic() + limit

    def holds(worker: Process) -> bool:
        last: list[int] | None = None
        for line in worker.output().splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if (
                    isinstance(entry, dict)
                    and entry.get("message") == "partitions assigned"
                    and str(entry.get("consumer", "")).endswith("-fulfilment")
                ):
                    last = list(entry.get("partitions") or [])
        return bool(last)

    while not all(holds(w) for w in workers):
        if time.monotonic() > deadline:
            raise SystemExit(f"the group did not settle in {limit:.0f} s")
        time.sleep(0.3)
    pids = [w.pid for w in workers]
    before = cpu_seconds(pids)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = cpu_seconds(pids)
        if now - before < 0.05 * len(workers):  # under 5% of a core each: idle polling
            return
        before = now
    raise SystemExit(f"the workers did not go quiet in {limit:.0f} s")


def wait_running(workers: list[Process], limit: float = 90) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for worker in workers:
            if worker.popen.poll() is not None:
                raise SystemExit(f"a worker exited:\n{worker.output()[-2000:]}")
        if all("worker running" in w.output() for w in workers):
            return
        time.sleep(0.3)
    raise SystemExit(f"the workers did not start in {limit:.0f} s")


@dataclass
class Outcome:
    placed: int
    paid: int
    rate: float | None
    p50: float | None
    p99: float | None
    waited: float


async def _last_position(dsn: str) -> int:
    conn = await connect(dsn)
    try:
        return int(await conn.fetchval("SELECT coalesce(max(position), 0) FROM event_log"))
    finally:
        await conn.close()


async def _until_paid(dsn: str, *, after: int, limit: float) -> Outcome:
    """Wait (bounded) until every order placed after `after` is paid or cancelled."""
    conn = await connect(dsn)
    began = time.monotonic()
    query = """
        SELECT placed.stream_id, placed.recorded_at AS placed_at, paid.recorded_at AS paid_at,
               ended.stream_id IS NOT NULL AS ended
          FROM event_log placed
          LEFT JOIN event_log paid
            ON paid.stream_id = placed.stream_id AND paid.event_type = 'OrderPaid'
          LEFT JOIN event_log ended
            ON ended.stream_id = placed.stream_id AND ended.event_type = 'OrderCancelled'
         WHERE placed.event_type = 'OrderPlaced' AND placed.position > $1
    """
    try:
        while True:
            rows = await conn.fetch(query, after)
            done = all(r["paid_at"] is not None or r["ended"] for r in rows)
            if done or time.monotonic() - began > limit:
                break
            await asyncio.sleep(0.2)
    finally:
        await conn.close()
    paid = [r for r in rows if r["paid_at"] is not None]
    if not paid:
        return Outcome(len(rows), 0, None, None, None, time.monotonic() - began)
    delays = sorted((r["paid_at"] - r["placed_at"]).total_seconds() * 1000 for r in paid)
    span = (max(r["paid_at"] for r in paid) - min(r["placed_at"] for r in rows)).total_seconds()
    return Outcome(
        len(rows),
        len(paid),
        len(paid) / span if span > 0 else None,
        delays[len(delays) // 2],
        delays[min(len(delays) - 1, int(len(delays) * 0.99))],
        time.monotonic() - began,
    )


def cell(
    shop: Shop, *, workers: int, latency_ms: int, orders: int, limit: float, kafka: str | None
) -> tuple[Outcome | None, float]:
    """One measurement; None when Kafka group mode is not there. Also the worker CPU seconds."""
    dsn = asyncpg_dsn(shop.url)
    extra = {"PAYMENTS_LATENCY_MS": str(latency_ms), "AGORA_LOG_LEVEL": "INFO"}
    if kafka:
        extra["KAFKA_BOOTSTRAP_SERVERS"] = kafka
    label = f"worker-{'kafka' if kafka else 'log'}-{workers}-{latency_ms}"
    with agora_workers(shop.services, shop.url, count=workers, label=label, **extra) as running:
        wait_running(running)
        if kafka and not group_mode(running):
            return None, 0.0
        if kafka:
            wait_settled_group(running)
        after = asyncio.run(_last_position(dsn))
        cpu_before = cpu_seconds([w.pid for w in running])

        async def load() -> None:
            async with httpx.AsyncClient(
                base_url=shop.base_url, timeout=60, limits=httpx.Limits(max_connections=CLIENTS + 4)
            ) as client:
                await agora_checkouts(client, shop.accounts, total=orders)

        asyncio.run(load())
        outcome = asyncio.run(_until_paid(dsn, after=after, limit=limit))
        cpu = cpu_seconds([w.pid for w in running]) - cpu_before
    return outcome, cpu


def run(
    table: Table,
    services: Services,
    *,
    orders: int,
    latencies: tuple[int, ...],
    worker_counts: tuple[int, ...],
    limit: float,
    kafka: str | None,
) -> None:
    table.group(
        GROUP,
        f"paid orders/s; checkout->paid; worker CPU per paid order; {orders} checkouts from"
        f" {CLIENTS} clients; base: event-log runner, 1 worker, same provider latency",
    )
    cells = len(latencies) * len(worker_counts) * 2
    with shop(services, label="fulfil", stock=orders * cells + 100) as running_shop:
        for latency_ms in latencies:
            base: Row | None = None
            for mode in ("event-log runner", "Kafka group"):
                for workers in worker_counts:
                    name = (
                        f"{mode}, {workers} worker{'s' * (workers > 1)}, provider {latency_ms} ms"
                    )
                    if mode == "Kafka group" and kafka is None:
                        table.add(Row(GROUP, name, None, None, None, None, base, NOT_AVAILABLE))
                        continue
                    outcome, cpu = cell(
                        running_shop,
                        workers=workers,
                        latency_ms=latency_ms,
                        orders=orders,
                        limit=limit,
                        kafka=kafka if mode == "Kafka group" else None,
                    )
                    if outcome is None:
                        table.add(Row(GROUP, name, None, None, None, None, base, NOT_AVAILABLE))
                        kafka = None  # the same answer for every later Kafka row
                        continue
                    note = f"{outcome.paid}/{outcome.placed} paid"
                    if outcome.paid < outcome.placed:
                        note += f" after {outcome.waited:.0f} s (limit)"
                    row = Row(
                        GROUP,
                        name,
                        outcome.rate,
                        outcome.p50,
                        outcome.p99,
                        1000 * cpu / outcome.paid if outcome.paid else None,
                        base,
                        note,
                    )
                    table.add(row)
                    base = base or row
