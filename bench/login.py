"""Identity throughput over real HTTP, next to a baseline measured in the same run.

Starts `agora serve` (embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL are set) on a
free loopback port, then drives it with a bounded number of concurrent requests:

  baseline   GET /health/live        routing + middleware, no I/O
  me         GET /api/v1/users/me    JWT verification + one indexed principal query + one read
  refresh    POST /api/v1/auth/refresh  one conditional UPDATE + INSERT + a new JWT
  login      POST /api/v1/auth/token    Argon2id verification (deliberately slow)

Usage: make bench   (or: .venv/bin/python bench/login.py --requests 2000 --concurrency 16)
"""

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

DEMO = {"username": "customer@agora.example.com", "password": "agora-demo-2026"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, data_dir: str) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "AGORA_DEMO": "true",
        "AGORA_DATA_DIR": data_dir,
        "AGORA_LOG_LEVEL": "WARNING",
        # The benchmark logs in repeatedly from one address; the limit would stop it.
        "AUTH_LOGIN_LIMIT_PER_IP": "100000/minute",
        "AUTH_LOGIN_LIMIT_PER_ACCOUNT": "100000/minute",
    }
    agora = str(Path(sys.executable).parent / "agora")
    return subprocess.Popen(  # noqa: S603 - our own console script
        [agora, "serve", "--migrate", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
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


Call = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


async def measure(
    client: httpx.AsyncClient, call: Call, *, requests: int, concurrency: int
) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 latency in milliseconds."""
    latencies: list[float] = []
    remaining = requests

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            response = await call(client)
            latencies.append(time.perf_counter() - started)
            if response.status_code >= 400:
                raise SystemExit(f"{response.request.url.path}: {response.status_code}")

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return requests / elapsed, statistics.median(latencies) * 1000, p99 * 1000


async def run(requests: int, concurrency: int, base_url: str) -> None:
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        pair = (await client.post("/api/v1/auth/token", data=DEMO)).json()
        auth = {"Authorization": f"Bearer {pair['access_token']}"}
        refresh_token = pair["refresh_token"]

        async def refresh(c: httpx.AsyncClient) -> httpx.Response:
            # Each refresh spends its token, so this scenario runs serially through the chain.
            nonlocal refresh_token
            response = await c.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})
            refresh_token = response.json()["refresh_token"]
            return response

        scenarios: list[tuple[str, Call, int, int]] = [
            ("baseline GET /health/live", lambda c: c.get("/health/live"), requests, concurrency),
            (
                "GET /api/v1/users/me",
                lambda c: c.get("/api/v1/users/me", headers=auth),
                requests,
                concurrency,
            ),
            ("POST /api/v1/auth/refresh (serial)", refresh, max(requests // 4, 1), 1),
            (
                "POST /api/v1/auth/token (Argon2id)",
                lambda c: c.post("/api/v1/auth/token", data=DEMO),
                max(requests // 20, 1),
                concurrency,
            ),
        ]
        print(f"{'scenario':<38} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs baseline':>12}")
        baseline = 0.0
        for name, call, count, workers in scenarios:
            await measure(client, call, requests=min(count, 50), concurrency=workers)  # warm-up
            rate, p50, p99 = await measure(client, call, requests=count, concurrency=workers)
            baseline = baseline or rate
            print(f"{name:<38} {rate:>9.0f} {p50:>8.1f} {p99:>8.1f} {rate / baseline:>11.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="agora-bench-") as data_dir:
        server = start_server(port, data_dir)
        try:

            async def go() -> None:
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as probe:
                    await wait_ready(probe, server)
                await run(args.requests, args.concurrency, f"http://127.0.0.1:{port}")

            asyncio.run(go())
        finally:
            os.killpg(server.pid, signal.SIGINT)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
