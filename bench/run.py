"""`make bench`: every workload next to its baseline measured in the same run, in one table.

  reads        five requests: Agora uncached and cached, plain FastAPI + asyncpg, bare ASGI
  checkout     POST /api/v1/checkout vs raw asyncpg writing the same rows, 16 and 32 clients
  append       the event log's append, 1 and 8 writers, vs raw INSERTs
  fulfilment   checkouts -> paid, provider 0/100/300 ms, 1 and 2 workers, log runner and Kafka

`--quick` (make bench QUICK=1) is the same table from tiny loads, in about two minutes: a smoke
test of the benchmark, not a measurement. `--only reads,append` runs some sections. The table
is Markdown, printed to stdout (progress goes to stderr) and, with --out, written to a file.

Usage: .venv/bin/python bench/run.py [--quick] [--only SECTIONS] [--out FILE]
"""

import argparse
import asyncio
import contextlib
import datetime
import os
import platform
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import reads
from checkout import agora_checkouts, customers, raw_checkouts, sample_rows, stock_product
from event_log import append_rate, raw_insert_rate
from fulfilment import run as fulfilment
from harness import ROOT, Row, Services, Table, agora_serve, generator, kafka_broker, services

from infrastructure.db.engine import asyncpg_dsn, build_engine

SECTIONS = ("reads", "checkout", "append", "fulfilment")


@dataclass(frozen=True)
class Sizes:
    """How much load each section gets."""

    products: int
    read_seconds: float
    read_warm_up: float | None
    read_connections: int
    checkouts: int
    events: int
    orders: int
    settle_limit: float
    latencies: tuple[int, ...] = (0, 100, 300)
    workers: tuple[int, ...] = (1, 2)


FULL = Sizes(
    products=20_000,
    read_seconds=5,
    read_warm_up=1,
    read_connections=32,
    checkouts=400,
    events=2000,
    orders=120,
    settle_limit=240,
)
QUICK = Sizes(
    products=500,
    read_seconds=1,
    read_warm_up=None,
    read_connections=8,
    checkouts=16,
    events=80,
    orders=6,
    settle_limit=60,
    latencies=(0,),
)


def checkout(table: Table, found: Services, sizes: Sizes) -> None:
    group = "checkout"
    table.group(
        group,
        f"orders/s (each a cart refill, untimed, then the checkout); checkout latency; CPU per"
        f" order of Agora's API process, or of the base's own process; {sizes.checkouts} per"
        " row, no worker running; base: raw asyncpg writing the same rows",
    )
    with (
        found.database("checkout") as url,
        found.database("checkout_raw") as raw_url,
        agora_serve(
            found,
            url,
            label="checkout-api",
            AGORA_DEMO="true",
            # No worker runs: every order stays open, and the rows measure acceptance, so
            # the backlog bound (ADR 0023) is off here; the soak is where it sheds.
            ORDERING_MAX_FULFILMENT_BACKLOG="0",
        ) as (api, base_url),
    ):

        async def go() -> None:
            limits = httpx.Limits(max_connections=36)
            async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
                accounts = await customers(client, 32)
                await stock_product(client, 4 * sizes.checkouts + 200)
                warm = min(sizes.checkouts, 50)
                await agora_checkouts(client, accounts[:16], total=warm)
                rows = await sample_rows(asyncpg_dsn(url))
                for clients in (16, 32):
                    before = api.cpu_seconds()
                    mine = await agora_checkouts(client, accounts[:clients], total=sizes.checkouts)
                    cpu = api.cpu_seconds() - before
                    raw_dsn = asyncpg_dsn(raw_url)
                    await raw_checkouts(raw_dsn, rows, connections=clients, total=warm)
                    began = time.process_time()
                    raw = await raw_checkouts(
                        raw_dsn, rows, connections=clients, total=sizes.checkouts
                    )
                    raw_cpu = time.process_time() - began
                    base = table.add(
                        Row(
                            group,
                            f"raw asyncpg, {clients} clients",
                            raw.rate,
                            raw.p50,
                            raw.percentile(0.99),
                            1000 * raw_cpu / sizes.checkouts,
                        )
                    )
                    errors = sum(mine.errors.values())
                    table.add(
                        Row(
                            group,
                            f"Agora POST /checkout, {clients} clients",
                            mine.rate,
                            mine.p50,
                            mine.percentile(0.99),
                            1000 * cpu / sizes.checkouts,
                            base,
                            f"{errors} non-201" if errors else "",
                        )
                    )

        asyncio.run(go())


def append(table: Table, found: Services, sizes: Sizes) -> None:
    group = "append"
    table.group(
        group,
        f"events/s; -; CPU per event of the appending process; {sizes.events} events, one per"
        f" transaction; base: raw asyncpg INSERT",
    )
    with found.database("append") as url:

        async def go() -> None:
            engine = build_engine(url, pool_size=10)
            try:
                for writers in (1, 8):
                    began = time.process_time()
                    raw = await raw_insert_rate(
                        asyncpg_dsn(url), writers=writers, total=sizes.events
                    )
                    raw_cpu = time.process_time() - began
                    began = time.process_time()
                    mine = await append_rate(engine, writers=writers, total=sizes.events)
                    cpu = time.process_time() - began
                    per = 1000 / sizes.events
                    base = table.add(
                        Row(
                            group,
                            f"raw INSERT, {writers} writer(s)",
                            raw,
                            None,
                            None,
                            raw_cpu * per,
                        )
                    )
                    table.add(
                        Row(
                            group,
                            f"EventStore.append, {writers} writer(s)",
                            mine,
                            None,
                            None,
                            cpu * per,
                            base,
                        )
                    )
            finally:
                await engine.dispose()

        asyncio.run(go())


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout.strip()
    return (
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, commit {commit or '?'},"
        f" nproc {len(os.sched_getaffinity(0))}, {model},"
        f" Python {platform.python_version()}, load average {' '.join(load)} at the start,"
        f" load generator {generator()}"
    )


@contextlib.contextmanager
def maybe_broker(wanted: bool) -> Iterator[str | None]:
    if not wanted:
        yield None
        return
    with kafka_broker() as bootstrap:
        yield bootstrap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny loads: a smoke test")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma list of sections")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    sizes = QUICK if args.quick else FULL
    header = machine()
    table = Table()
    began = time.monotonic()
    with services() as found, maybe_broker("fulfilment" in chosen) as bootstrap:
        if "reads" in chosen:
            reads.run(
                table,
                found,
                products_count=sizes.products,
                seconds=sizes.read_seconds,
                conns=sizes.read_connections,
                warm_up=sizes.read_warm_up,
            )
        if "checkout" in chosen:
            checkout(table, found, sizes)
        if "append" in chosen:
            append(table, found, sizes)
        if "fulfilment" in chosen:
            fulfilment(
                table,
                found,
                orders=sizes.orders,
                latencies=sizes.latencies,
                worker_counts=sizes.workers,
                limit=sizes.settle_limit,
                kafka=bootstrap,
            )
    text = (
        f"{'QUICK (smoke test, not a measurement): ' if args.quick else ''}{header};"
        f" {time.monotonic() - began:.0f} s\n\n{table.render()}\n"
    )
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
