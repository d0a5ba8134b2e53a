"""What traces and metrics cost a request: server CPU per request of `agora serve` with both
off (the baseline), metrics on, tracing on (every request, and one in ten), and both on,
measured in the same run.

Starts five `agora serve` processes on one fresh database (catalog cache off, so every request
runs its SQL and makes its spans), a local OTLP/HTTP sink that accepts and drops spans (so the
exporter really encodes and sends them), and drives each server in turn, in several rounds,
with a bounded number of requests from an httpx client. CPU is the server process's own user
and system time (/proc), before and after each round. Usage:
  .venv/bin/python bench/observability.py [--requests 1500 --concurrency 8 --rounds 3]
"""

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import asyncpg
import httpx
from scratch import scratch_database  # bench/ is on the path when a bench runs

from infrastructure.db.engine import asyncpg_dsn

BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")
CONFIGS = ("off", "metrics", "tracing", "tracing 10%", "both")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Sink(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver that reads each export and answers 200."""

    received = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        _Sink.received += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


async def seed(dsn: str) -> uuid.UUID:
    conn = await asyncpg.connect(dsn)
    try:
        product = uuid.uuid4()
        await conn.execute(
            """
            INSERT INTO products (id, sku, name, description, price_amount, price_currency,
                                  category_id, attributes, image_ids, status, created_at,
                                  updated_at, version)
            VALUES ($1, 'BENCH-1', 'Teapot', 'a product for the benchmark', 12.5, 'EUR',
                    NULL, '{"color": "grey"}', '{}', 'active', now(), now(), 0)
            """,
            product,
        )
        return product
    finally:
        await conn.close()


def start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: S603 - our own program
        [str(BIN / "agora"), "serve"],
        env=os.environ | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=1)
            return process
        except OSError:
            time.sleep(0.5)
    raise SystemExit("agora serve did not start")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def drive(url: str, requests: int, concurrency: int) -> float:
    """Send `requests` GETs from `concurrency` clients; the wall time taken."""
    remaining = iter(range(requests))
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=30) as client:

        async def one_client() -> None:
            for _ in remaining:
                response = await client.get(url)
                assert response.status_code == 200, response.status_code

        await asyncio.gather(*(one_client() for _ in range(concurrency)))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sink = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    otlp = f"http://127.0.0.1:{sink.server_address[1]}"
    with scratch_database() as (url, data_dir):
        product = asyncio.run(seed(asyncpg_dsn(url)))
        servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
        try:
            for config in CONFIGS:
                port = free_port()
                env = {
                    "DATABASE_URL": url,
                    "AGORA_DATA_DIR": str(data_dir / config.replace(" ", "-").replace("%", "")),
                    "AGORA_LOG_LEVEL": "WARNING",
                    "HTTP_PORT": str(port),
                    "CATALOG_CACHE_ENABLED": "false",
                }
                if config in ("metrics", "both"):
                    env["METRICS_PORT"] = str(free_port())
                if config.startswith("tracing") or config == "both":
                    env["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp
                if config == "tracing 10%":
                    env["OTEL_TRACES_SAMPLER_ARG"] = "0.1"
                servers[config] = (start(env, port), port)
            report(servers, product, args)
        finally:
            for process, _ in servers.values():
                os.killpg(process.pid, signal.SIGINT)
                process.wait(timeout=30)
    sink.shutdown()
    print(f"OTLP exports received by the sink: {_Sink.received}")


def report(
    servers: dict[str, tuple[subprocess.Popen[bytes], int]],
    product: uuid.UUID,
    args: argparse.Namespace,
) -> None:
    path = f"/api/v1/products/{product}"
    cpu: dict[str, list[float]] = {config: [] for config in CONFIGS}
    rate: dict[str, list[float]] = {config: [] for config in CONFIGS}
    for _, port in servers.values():  # warm-up: imports, pools, first connections
        asyncio.run(drive(f"http://127.0.0.1:{port}{path}", 200, args.concurrency))
    for _ in range(args.rounds):
        for config, (process, port) in servers.items():
            before = cpu_seconds(process.pid)
            wall = asyncio.run(
                drive(f"http://127.0.0.1:{port}{path}", args.requests, args.concurrency)
            )
            cpu[config].append((cpu_seconds(process.pid) - before) / args.requests * 1000)
            rate[config].append(args.requests / wall)
    base = statistics.median(cpu["off"])
    print(f"GET {path.replace(str(product), '{id}')}, uncached, {args.requests} requests x")
    print(f"{args.rounds} rounds, {args.concurrency} concurrent; medians over the rounds")
    print(f"{'server':<12} {'CPU ms/req':>10} {'vs off':>8} {'req/s':>8}  rounds (CPU ms/req)")
    for config in CONFIGS:
        median = statistics.median(cpu[config])
        rounds = " ".join(f"{value:.2f}" for value in cpu[config])
        print(
            f"{config:<12} {median:>10.2f} {median / base:>7.0%} "
            f"{statistics.median(rate[config]):>8.0f}  {rounds}"
        )


if __name__ == "__main__":
    main()
