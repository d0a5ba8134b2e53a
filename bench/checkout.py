"""Checkout over real HTTP, next to the same rows written by raw asyncpg in the same run.

Starts `agora serve --migrate --with-worker` (the fulfilment process and the projections run in
that process) on a scratch database, creates one customer per client and a stocked product,
then measures:

  checkout     POST /api/v1/checkout at 16 and 32 concurrent customers; before each checkout
               the customer refills its cart with PUT /api/v1/cart/lines/BENCH-1 (untimed)
  baseline     the rows a checkout writes (idempotency key, OrderPlaced in the event log,
               payment token, emptied cart) by raw asyncpg, one transaction per order, on 16
               and 32 connections to a second scratch database on the same server, with the
               same migrations; the cart line is refilled (untimed) before each order too
  to paid      checkout request sent -> GET /api/v1/orders/{id} first shows status "paid"
               (the read model), polled every 5 ms, 4 customers at a time

req/s is orders completed per second of wall time, cart refills included, for both sides;
p50/p99 time the checkout request (or transaction) alone. After each Agora run the benchmark
waits until every order is paid before going on, and reports how long that took.

Uses DATABASE_URL and REDIS_URL when set, otherwise embedded services; creates and drops its
own databases. Usage: make bench  (or: .venv/bin/python bench/checkout.py --checkouts 800)
"""

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from scratch import scratch_database  # bench/ is on the path when a bench runs
from sqlalchemy.engine import make_url

from domain.inventory.values import MAX_QUANTITY
from infrastructure.db.engine import asyncpg_dsn
from infrastructure.db.migrations import upgrade_to_head

STAFF = {"username": "staff@agora.example.com", "password": "agora-demo-2026"}
PASSWORD = "a-long-enough-passphrase"  # noqa: S105 - a throwaway account in a scratch database
SKU = "BENCH-1"
STOCK = 1_000_000
CHECKOUT = {
    "shipping_address": {
        "name": "Ada",
        "line1": "1 Main St",
        "city": "Paris",
        "postal_code": "75001",
        "country": "FR",
    },
    "shipping_method": "standard",  # the demo shop ships to France with its standard parcel
    "payment_token": "tok_approve",
}
CONCURRENCIES = (16, 32)
SETTLE_LIMIT = 120.0  # seconds the fulfilment process gets to catch up after a run


@dataclass
class Result:
    """One scenario: orders per second of wall time, checkout latencies, failures by status."""

    rate: float
    latencies: list[float]
    errors: Counter[int] = field(default_factory=Counter)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000 if ordered else 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    port: int, database_url: str, data_dir: Path, redis_prefix: str
) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": database_url,
        "AGORA_DEMO": "true",
        "AGORA_DATA_DIR": str(data_dir),
        "AGORA_LOG_LEVEL": "WARNING",
        "PAYMENTS_LATENCY_MS": "0",
        "REDIS_KEY_PREFIX": redis_prefix,
        # Every customer logs in from one address; the limits would stop the set-up.
        "AUTH_LOGIN_LIMIT_PER_IP": "100000/minute",
        "AUTH_LOGIN_LIMIT_PER_ACCOUNT": "100000/minute",
        "AUTH_REGISTRATION_LIMIT_PER_IP": "100000/minute",
        # What the API accepts is measured, so no checkout is shed for fulfilment's backlog.
        "ORDERING_MAX_FULFILMENT_BACKLOG": "0",
    }
    agora = str(Path(sys.executable).parent / "agora")
    with (data_dir / "server.log").open("wb") as log:
        return subprocess.Popen(  # noqa: S603 - our own console script
            [agora, "serve", "--migrate", "--with-worker", "--port", str(port)],
            env=env,
            stdout=log,
            start_new_session=True,
        )


async def wait_ready(client: httpx.AsyncClient, server: subprocess.Popen[bytes]) -> None:
    for _ in range(240):
        if server.poll() is not None:
            raise SystemExit("agora serve exited during start-up")
        try:
            if (await client.get("/health/ready")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.5)
    raise SystemExit("agora serve did not become ready in 120 s")


def expect(response: httpx.Response, status: int) -> httpx.Response:
    if response.status_code != status:
        path = response.request.url.path
        raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")
    return response


async def bearer(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    data = {"username": username, "password": password}
    token = expect(await client.post("/api/v1/auth/token", data=data), 200).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


async def customers(client: httpx.AsyncClient, count: int) -> list[dict[str, str]]:
    """One fresh customer per client, logged in; four at a time (Argon2id is slow on purpose)."""
    run = uuid.uuid4().hex[:8]
    gate = asyncio.Semaphore(4)

    async def one(n: int) -> dict[str, str]:
        email = f"bench-{run}-{n}@example.com"
        async with gate:
            body = {"email": email, "password": PASSWORD, "full_name": "Bench"}
            expect(await client.post("/api/v1/users", json=body), 201)
            return await bearer(client, email, PASSWORD)

    return list(await asyncio.gather(*(one(n) for n in range(count))))


async def stock_product(client: httpx.AsyncClient, units: int) -> None:
    staff = await bearer(client, STAFF["username"], STAFF["password"])
    product = {"sku": SKU, "name": "Bench teapot", "price": {"amount": "10.00", "currency": "EUR"}}
    created = expect(await client.post("/api/v1/products", json=product, headers=staff), 201)
    product_id = created.json()["id"]
    expect(await client.post(f"/api/v1/products/{product_id}/publish", headers=staff), 200)
    while units > 0:  # one receipt moves at most MAX_QUANTITY units
        quantity = min(units, MAX_QUANTITY)
        path = f"/api/v1/inventory/{SKU}/receipts"
        expect(await client.post(path, json={"quantity": quantity}, headers=staff), 200)
        units -= quantity


async def check_out(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> tuple[float, httpx.Response]:
    """Refill the cart (untimed), then check out; returns when the checkout was sent."""
    refill = await client.put(f"/api/v1/cart/lines/{SKU}", json={"quantity": 1}, headers=auth)
    expect(refill, 200)
    headers = auth | {"Idempotency-Key": uuid.uuid4().hex}
    sent = time.perf_counter()
    return sent, await client.post("/api/v1/checkout", json=CHECKOUT, headers=headers)


async def agora_checkouts(
    client: httpx.AsyncClient, accounts: list[dict[str, str]], *, total: int
) -> Result:
    result = Result(0.0, [])
    remaining = total

    async def worker(auth: dict[str, str]) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            sent, response = await check_out(client, auth)
            result.latencies.append(time.perf_counter() - sent)
            if response.status_code != 201:
                result.errors[response.status_code] += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker(auth) for auth in accounts))
    result.rate = total / (time.perf_counter() - began)
    return result


async def settled(dsn: str) -> float:
    """Seconds until the fulfilment process has moved every placed order on (bounded)."""
    conn = await asyncpg.connect(dsn)
    began = time.perf_counter()
    try:
        while time.perf_counter() - began < SETTLE_LIMIT:
            placed, done = await conn.fetchrow(
                "SELECT (SELECT count(*) FROM event_log WHERE event_type = 'OrderPlaced'),"
                " (SELECT count(*) FROM order_views"
                "   WHERE status NOT IN ('placed', 'awaiting_payment'))"
            )
            if placed == done:
                return time.perf_counter() - began
            await asyncio.sleep(0.1)
        # Subscribers read below the server-wide transaction horizon: name what holds it.
        oldest = await conn.fetchrow(
            "SELECT datname, state, extract(epoch FROM now() - xact_start)::int AS seconds,"
            " left(query, 80) AS query FROM pg_stat_activity"
            " WHERE pid <> pg_backend_pid()"
            " AND (backend_xid IS NOT NULL OR backend_xmin IS NOT NULL)"
            " ORDER BY xact_start LIMIT 1"
        )
        holder = dict(oldest) if oldest else None
        raise SystemExit(
            f"{placed - done} of {placed} orders not moved on {SETTLE_LIMIT:.0f} s after the run;"
            f" orders by status: {await statuses(dsn)}; oldest open transaction: {holder}"
        )
    finally:
        await conn.close()


async def statuses(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT status, count(*) FROM order_views GROUP BY status")
    finally:
        await conn.close()
    return {r["status"]: r["count"] for r in rows}


@dataclass(frozen=True)
class OrderRows:
    """A real checkout's rows, copied (with fresh ids) by the baseline."""

    order_id: str
    payload: str
    fingerprint: str
    result: str


async def sample_rows(dsn: str) -> OrderRows:
    conn = await asyncpg.connect(dsn)
    try:
        event = await conn.fetchrow(
            "SELECT stream_id, payload::text FROM event_log WHERE event_type = 'OrderPlaced'"
            " ORDER BY position LIMIT 1"
        )
        key = await conn.fetchrow(
            "SELECT fingerprint, result::text FROM idempotency_keys"
            " WHERE result->>'id' = $1 LIMIT 1",
            event["stream_id"].removeprefix("order-"),
        )
    finally:
        await conn.close()
    order_id = event["stream_id"].removeprefix("order-")
    return OrderRows(order_id, event["payload"], key["fingerprint"], key["result"])


@contextlib.contextmanager
def sibling_database(url: str) -> Iterator[str]:
    """A second migrated database on the same server as `url`, dropped afterwards."""
    name = f"{make_url(url).database}_raw"
    admin = asyncpg_dsn(url)

    async def execute(statement: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    try:
        sibling = make_url(url).set(database=name).render_as_string(hide_password=False)
        upgrade_to_head(sibling)
        yield sibling
    finally:
        asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def raw_checkouts(dsn: str, rows: OrderRows, *, connections: int, total: int) -> Result:
    """The same rows by plain asyncpg: one transaction per order, one customer per connection."""
    pool = await asyncpg.create_pool(dsn, min_size=connections, max_size=connections)
    product_id = uuid.uuid4()
    result = Result(0.0, [])
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        customer = uuid.uuid4()
        async with pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO carts (customer_id, updated_at) VALUES ($1, now())", customer
            )
            while remaining > 0:
                remaining -= 1
                await conn.execute(  # the refill, untimed as on the HTTP side
                    "INSERT INTO cart_lines (customer_id, sku, product_id, quantity,"
                    " confirmed_amount, confirmed_currency, position)"
                    " VALUES ($1, $2, $3, 1, 10.00, 'EUR', 0)",
                    customer,
                    SKU,
                    product_id,
                )
                order_id = str(uuid.uuid4())
                started = time.perf_counter()
                async with conn.transaction():
                    await conn.execute(
                        "INSERT INTO idempotency_keys (owner_id, key, fingerprint, result,"
                        " created_at, expires_at)"
                        " VALUES ($1, $2, $3, $4::jsonb, now(), now() + interval '24 hours')",
                        customer,
                        uuid.uuid4().hex,
                        rows.fingerprint,
                        rows.result.replace(rows.order_id, order_id),
                    )
                    await conn.execute(
                        "INSERT INTO event_log (stream_type, stream_id, stream_version, event_id,"
                        " event_type, schema_version, payload, metadata)"
                        " VALUES ('order', $1, 1, $2, 'OrderPlaced', 1, $3::jsonb, '{}')",
                        f"order-{order_id}",
                        uuid.uuid4(),
                        rows.payload.replace(rows.order_id, order_id),
                    )
                    await conn.execute(
                        "INSERT INTO order_payment_methods (order_id, token) VALUES ($1, $2)",
                        uuid.UUID(order_id),
                        CHECKOUT["payment_token"],
                    )
                    await conn.execute("DELETE FROM cart_lines WHERE customer_id = $1", customer)
                    await conn.execute(
                        "UPDATE carts SET updated_at = now() WHERE customer_id = $1", customer
                    )
                result.latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    result.rate = total / (time.perf_counter() - began)
    await pool.close()
    return result


async def time_to_paid(
    client: httpx.AsyncClient,
    accounts: list[dict[str, str]],
    *,
    orders: int,
    poll: float,
    give_up: float,
) -> tuple[Result, int]:
    """Checkout sent -> status "paid" first seen in GET /api/v1/orders/{id}; and timeouts."""
    result = Result(0.0, [])
    timeouts = 0
    remaining = orders

    async def worker(auth: dict[str, str]) -> None:
        nonlocal remaining, timeouts
        while remaining > 0:
            remaining -= 1
            sent, response = await check_out(client, auth)
            if response.status_code != 201:
                result.errors[response.status_code] += 1
                continue
            path = f"/api/v1/orders/{response.json()['id']}"
            while time.perf_counter() - sent < give_up:
                seen = await client.get(path, headers=auth)
                if seen.status_code == 200 and seen.json()["status"] == "paid":
                    result.latencies.append(time.perf_counter() - sent)
                    break
                await asyncio.sleep(poll)
            else:
                timeouts += 1

    await asyncio.gather(*(worker(auth) for auth in accounts))
    return result, timeouts


def row(name: str, clients: int, result: Result, note: str = "") -> str:
    errors = sum(result.errors.values())
    return (
        f"{name:<34} {clients:>7} {result.rate:>8.0f} {result.p50:>8.1f}"
        f" {result.percentile(0.99):>8.1f} {errors:>6} {note:>10}"
    )


async def run(args: argparse.Namespace, url: str, raw_url: str, base_url: str) -> None:
    dsn, raw_dsn = asyncpg_dsn(url), asyncpg_dsn(raw_url)
    limits = httpx.Limits(max_connections=max(CONCURRENCIES) + 4)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        accounts = await customers(client, max(CONCURRENCIES))
        await stock_product(client, STOCK)
        warm_up = min(args.checkouts, 50)
        planned = len(CONCURRENCIES) * (warm_up + args.checkouts) + args.latency_orders
        if planned > STOCK:
            raise SystemExit(f"{planned} orders need more than {STOCK} units of stock")
        lines: list[str] = []
        rows: OrderRows | None = None
        for clients in CONCURRENCIES:
            await agora_checkouts(client, accounts[:clients], total=warm_up)
            await settled(dsn)
            rows = rows or await sample_rows(dsn)
            mine = await agora_checkouts(client, accounts[:clients], total=args.checkouts)
            caught_up = await settled(dsn)
            await raw_checkouts(raw_dsn, rows, connections=clients, total=warm_up)
            raw = await raw_checkouts(raw_dsn, rows, connections=clients, total=args.checkouts)
            lines.append(row("agora POST /api/v1/checkout", clients, mine, f"+{caught_up:.1f}"))
            lines.append(row("  baseline: raw asyncpg, same rows", clients, raw, "-"))
            for status, count in sorted(mine.errors.items()):
                lines.append(f"  non-201 at {clients} clients: {count} x {status}")
        paid, timeouts = await time_to_paid(
            client,
            accounts[: args.latency_clients],
            orders=args.latency_orders,
            poll=args.poll_ms / 1000,
            give_up=args.give_up,
        )
        final = await statuses(dsn)
    head = f"{'scenario':<34} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    print(f"{head} {'errors':>6} {'settled s':>10}")
    print("\n".join(lines))
    polled = f"{args.latency_clients} clients, polled every {args.poll_ms} ms"
    print(f"\n{'checkout sent -> paid in the read model':<44} {'value':>10}")
    print(f"{f'  orders paid ({polled})':<44} {len(paid.latencies):>10}")
    print(f"{'  p50, ms':<44} {paid.p50:>10.1f}")
    print(f"{'  p99, ms':<44} {paid.percentile(0.99):>10.1f}")
    print(f"{f'  timeouts (not paid within {args.give_up:.0f} s)':<44} {timeouts:>10}")
    print(f"{'  non-201 checkouts':<44} {sum(paid.errors.values()):>10}")
    print(f"\norders by status at the end: {final}")


def server_warnings(data_dir: Path) -> list[str]:
    """What the server logged at warning level or above (its logs are JSON, one per line)."""
    log = data_dir / "server.log"
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    found = []
    for line in lines:
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if isinstance(entry, dict) and entry.get("level") in ("warning", "error", "critical"):
                error = str(entry.get("error") or "").splitlines()[:1]
                summary = f"{entry['level']} {entry.get('logger')}: {entry.get('message')}"
                found.append(" ".join([summary, *error])[:200])
    return found


async def forget_redis_keys(prefix: str) -> None:
    """The run's keys on a shared Redis (catalog cache, login counters)."""
    from redis.asyncio import Redis

    redis = Redis.from_url(os.environ["REDIS_URL"])
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*", count=1000)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


def bounded(low: float, high: float, kind: type[int] | type[float] = int) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = kind(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is not within {low:g}..{high:g}")
        return value

    return parse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", type=bounded(1, 20_000), default=800, help="per scenario")
    parser.add_argument("--latency-orders", type=bounded(1, 5_000), default=200)
    parser.add_argument("--latency-clients", type=bounded(1, max(CONCURRENCIES)), default=4)
    parser.add_argument("--poll-ms", type=bounded(1, 1_000), default=5)
    parser.add_argument(
        "--give-up", type=bounded(1, 60, float), default=10.0, help="seconds per order"
    )
    args = parser.parse_args()
    port = free_port()
    redis_prefix = f"agora-bench-{uuid.uuid4().hex[:8]}"
    with scratch_database() as (url, data_dir), sibling_database(url) as raw_url:
        server = start_server(port, url, data_dir, redis_prefix)
        try:

            async def go() -> None:
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as probe:
                    await wait_ready(probe, server)
                await run(args, url, raw_url, f"http://127.0.0.1:{port}")

            asyncio.run(go())
        finally:
            os.killpg(server.pid, signal.SIGINT)
            server.wait(timeout=30)
            if os.environ.get("REDIS_URL"):
                asyncio.run(forget_redis_keys(redis_prefix))
            warnings = server_warnings(data_dir)
            if warnings:
                print(f"\nthe server logged {len(warnings)} warnings or errors; the most frequent:")
                for text, count in Counter(warnings).most_common(5):
                    print(f"  {count} x {text}")


if __name__ == "__main__":
    main()
