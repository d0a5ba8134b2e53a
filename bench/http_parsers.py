"""What the server's HTTP parser costs: uvicorn on h11 (what `agora serve` runs, for its bound
on a header block still arriving; ADR 0019) next to uvicorn on httptools, each serving the
same bare ASGI app (one small JSON body, no framework), side by side in alternating rounds.

Prints the server process's CPU time per request (user + system, from /proc; Linux only) and
req/s; the load generator runs in this process on the same cores, so req/s is its ceiling,
and CPU per request is the figure to read.

Usage: .venv/bin/python bench/http_parsers.py [--requests 4000 --concurrency 8 --rounds 3]
"""

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

APP = "bench.http_parsers:app"
PARSERS = ("h11", "httptools")
BODY = b'{"status":"ok"}'


async def app(scope: dict[str, object], receive: object, send: object) -> None:
    """The bare ASGI app both servers run."""
    if scope["type"] != "http":
        return
    assert callable(send)
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive(port: int, requests: int, concurrency: int) -> None:
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits) as client:
        gate = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with gate:
                (await client.get("/")).raise_for_status()

        await asyncio.gather(*(one() for _ in range(requests)))


async def ready(port: int) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            try:
                await client.get(f"http://127.0.0.1:{port}/")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"the server on port {port} did not start")


def measure(parser: str, requests: int, concurrency: int) -> tuple[float, float]:
    """(server CPU µs per request, req/s) for one parser."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", APP, "--port", str(port), "--http", parser]
    root = Path(__file__).resolve().parents[1]
    quiet = ["--log-level", "warning", "--no-access-log"]
    server = subprocess.Popen([*command, *quiet], cwd=root)  # noqa: S603 - our own program
    try:
        asyncio.run(ready(port))
        asyncio.run(drive(port, requests // 10, concurrency))  # warm-up
        before, started = cpu_seconds(server.pid), time.perf_counter()
        asyncio.run(drive(port, requests, concurrency))
        cpu, wall = cpu_seconds(server.pid) - before, time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 1e6 * cpu / requests, requests / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"{'round':>5}  {'parser':<10} {'server CPU/request':>18} {'req/s':>7}")
    for round_ in range(1, args.rounds + 1):
        results = {p: measure(p, args.requests, args.concurrency) for p in PARSERS}
        for name, (cpu, rate) in results.items():
            print(f"{round_:>5}  {name:<10} {cpu:>15.0f} µs {rate:>7.0f}")
        ratio = results["h11"][0] / results["httptools"][0]
        print(f"{round_:>5}  h11 costs {ratio:.1f} x httptools' CPU per request")


if __name__ == "__main__":
    main()
