"""The soak: 8 clients checking out without pause for some minutes against `agora serve` and one
`agora worker`, provider at 300 ms, with open orders (placed, neither paid nor cancelled) and
both processes' memory sampled over time. Not part of the default table: it is long.

Usage: make bench SOAK=1   (or: .venv/bin/python bench/soak.py --minutes 8 [--every 30])
"""

import argparse
import asyncio
import time
from pathlib import Path

import asyncpg
import httpx
from checkout import check_out
from fulfilment import shop, wait_running
from harness import agora_workers, services

from infrastructure.db.engine import asyncpg_dsn

SOAK_CLIENTS = 8
COUNTS = """
    SELECT count(*) FILTER (WHERE event_type = 'OrderPlaced') AS placed,
           count(*) FILTER (WHERE event_type = 'OrderPaid') AS paid,
           count(*) FILTER (WHERE event_type = 'OrderCancelled') AS cancelled
      FROM event_log WHERE stream_type = 'order'
"""


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def soak(
    base_url: str,
    dsn: str,
    accounts: list[dict[str, str]],
    *,
    seconds: float,
    every: float,
    pids: dict[str, int],
) -> None:
    stop_at = time.monotonic() + seconds
    accepted = failed = 0

    async def client(auth: dict[str, str], http: httpx.AsyncClient) -> None:
        nonlocal accepted, failed
        while time.monotonic() < stop_at:
            _, response = await check_out(http, auth)
            if response.status_code == 201:
                accepted += 1
            else:
                failed += 1

    async def sampler() -> None:
        conn = await asyncpg.connect(dsn)
        began = time.monotonic()
        memory = "  ".join(f"{name} MiB" for name in pids)
        print(f"{'s':>6} {'placed':>7} {'paid':>7} {'open':>7} {'paid/s':>7}  {memory}", flush=True)
        last_paid, last_at = 0, began
        try:
            while True:
                row = await conn.fetchrow(COUNTS)
                now = time.monotonic()
                rate = (row["paid"] - last_paid) / (now - last_at) if now > last_at else 0.0
                last_paid, last_at = row["paid"], now
                open_ = row["placed"] - row["paid"] - row["cancelled"]
                rss = "  ".join(f"{rss_mib(pid):>{len(n) + 4}.0f}" for n, pid in pids.items())
                print(
                    f"{now - began:>6.0f} {row['placed']:>7} {row['paid']:>7} {open_:>7}"
                    f" {rate:>7.1f}  {rss}",
                    flush=True,
                )
                if now >= stop_at:
                    return
                await asyncio.sleep(min(every, max(0.0, stop_at - now) + 0.01))
        finally:
            await conn.close()

    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        await asyncio.gather(sampler(), *(client(a, http) for a in accounts[:SOAK_CLIENTS]))
    print(
        f"\naccepted {accepted} checkouts in {seconds:.0f} s ({accepted / seconds:.1f}/s),"
        f" {failed} not accepted"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=8.0)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--latency-ms", type=int, default=300)
    args = parser.parse_args()
    if not 0 < args.minutes <= 120:
        raise SystemExit("--minutes must be within 0..120")
    with services() as found, shop(found, label="soak", stock=1_000_000) as running:
        env = {"PAYMENTS_LATENCY_MS": str(args.latency_ms), "AGORA_LOG_LEVEL": "INFO"}
        with agora_workers(found, running.url, count=1, label="soak-worker", **env) as workers:
            wait_running(workers)
            pids = {"api": running.api.pid, "worker": workers[0].pid}
            asyncio.run(
                soak(
                    running.base_url,
                    asyncpg_dsn(running.url),
                    running.accounts,
                    seconds=args.minutes * 60,
                    every=args.every,
                    pids=pids,
                )
            )


if __name__ == "__main__":
    main()
