"""Catalog reads under load (wrk), cached and uncached, next to a bare raw-asyncpg ASGI app
running the same SQL, measured in the same run.

Seeds 20,000 active products in a fresh database, starts `agora serve` twice (Redis cache on,
then off) and the baseline app, and drives each with wrk at 32 and 64 connections:
  first page   GET /api/v1/products
  search       GET /api/v1/products?q=mug
  category     GET /api/v1/products?category_id=<a category with a subtree>
  detail       GET /api/v1/products/<id>
Needs wrk (Debian: apt-get install wrk). Usage: .venv/bin/python bench/catalog.py [--seconds 5]
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from reads import CATEGORY, seed  # bench/ is on the path when a bench runs
from scratch import scratch_database

from application.catalog.views import ProductSearch
from infrastructure.catalog.readers import DETAILS, build_search
from infrastructure.catalog.tables import products
from infrastructure.db.engine import asyncpg_dsn, build_engine

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def baseline_queries(database_url: str, product_id: uuid.UUID) -> dict[str, object]:
    """The SQL the reader runs for each scenario, compiled for asyncpg."""
    engine = build_engine(database_url, pool_size=1)
    statements = {
        "/list": ProductSearch(limit=20),
        "/search": ProductSearch(text="mug", sort="relevance", limit=20),
        "/category": ProductSearch(category_id=CATEGORY, limit=20),
    }
    out: dict[str, object] = {}
    for path, query in statements.items():
        statement, key, descending = build_search(query)
        order = [key.desc(), products.c.id.desc()] if descending else [key, products.c.id]
        compiled = statement.order_by(*order).limit(21).compile(dialect=engine.dialect)
        args = [
            str(compiled.params[n])
            if isinstance(compiled.params[n], uuid.UUID)
            else compiled.params[n]
            for n in compiled.positiontup or []
        ]
        out[path] = {"statements": [[compiled.string, args]]}
    from sqlalchemy import select

    detail = select(*DETAILS).where(products.c.id == product_id, products.c.status == "active")
    compiled = detail.compile(dialect=engine.dialect)
    out["/detail"] = {"statements": [[compiled.string, [str(product_id), "active"]]]}
    return out


def start(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: S603 - our own programs
        command,
        env=os.environ | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=1)
            return process
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP error: the server is up
                return process
            time.sleep(0.5)
    raise SystemExit(f"{command[0]} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=30)


def wrk(url: str, connections: int, seconds: int) -> tuple[float, float, float]:
    out = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def percentile(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return rate, percentile("50"), percentile("99")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    with scratch_database() as (url, data_dir):
        product_id = asyncio.run(seed(asyncpg_dsn(url), count=20_000))
        run(url, product_id, data_dir, args.seconds)


def run(url: str, product_id: uuid.UUID, data_dir: Path, seconds: int) -> None:
    paths = {
        "first page": ("/api/v1/products", "/list"),
        "search": ("/api/v1/products?q=mug&sort=relevance", "/search"),
        "category": (f"/api/v1/products?category_id={CATEGORY}", "/category"),
        "detail": (f"/api/v1/products/{product_id}", "/detail"),
    }
    sql_file = data_dir / "baseline.json"
    sql_file.write_text(json.dumps(baseline_queries(url, product_id), default=str))
    results: dict[tuple[str, str, int], tuple[float, float, float]] = {}
    servers = {
        "agora, cached": {"CATALOG_CACHE_ENABLED": "true"},
        "agora, uncached": {"CATALOG_CACHE_ENABLED": "false"},
    }
    for label, extra in servers.items():
        port = free_port()
        env = {
            "DATABASE_URL": url,
            "AGORA_DATA_DIR": str(data_dir / label.replace(", ", "-")),
            "AGORA_LOG_LEVEL": "WARNING",
            "HTTP_PORT": str(port),
        } | extra
        process = start([str(BIN / "agora"), "serve"], env, port)
        try:
            for scenario, (path, _) in paths.items():
                wrk(f"http://127.0.0.1:{port}{path}", 8, 1)  # warm-up (and fill the cache)
                for connections in (32, 64):
                    results[(scenario, label, connections)] = wrk(
                        f"http://127.0.0.1:{port}{path}", connections, seconds
                    )
        finally:
            stop(process)
    port = free_port()
    env = {"BASELINE_DSN": asyncpg_dsn(url), "BASELINE_SQL": str(sql_file)}
    process = start(
        # Served with `agora serve`'s HTTP options (ADR 0019), so the comparison is like for like.
        [sys.executable, "-m", "bench.baseline_app", str(port)],
        env | {"PYTHONPATH": str(ROOT)},
        port,
    )
    try:
        for scenario, (_, path) in paths.items():
            wrk(f"http://127.0.0.1:{port}{path}", 8, 1)
            for connections in (32, 64):
                results[(scenario, "baseline (raw asyncpg)", connections)] = wrk(
                    f"http://127.0.0.1:{port}{path}", connections, seconds
                )
    finally:
        stop(process)
    print(f"{'scenario':<12} {'server':<24} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for (scenario, label, connections), (rate, p50, p99) in sorted(results.items()):
        print(f"{scenario:<12} {label:<24} {connections:>5} {rate:>9.0f} {p50:>8.1f} {p99:>8.1f}")


if __name__ == "__main__":
    main()
