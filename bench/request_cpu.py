"""Server CPU per request of Agora's reads, cached and uncached, next to plain FastAPI + asyncpg
running the same SQL (bench/baseline_app.py), measured in the same run, as ratios.

The figure is the server process's own CPU time (user + system, from /proc/<pid>/stat) over a
bounded wrk run, divided by the requests wrk completed. Seeds the catalog of bench/catalog.py
and logs a demo customer in once for `/users/me`. Needs wrk. Usage:
  .venv/bin/python bench/request_cpu.py [--seconds 3 --connections 32 --rounds 2]
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from catalog import CATEGORY, ROOT, baseline_queries, free_port, seed, start, stop
from scratch import scratch_database

from agora.settings import AuthSettings
from application.catalog.views import ProductSearch
from infrastructure.catalog.readers import build_search
from infrastructure.catalog.tables import products
from infrastructure.db.engine import asyncpg_dsn, build_engine

BIN = Path(sys.executable).parent
DEMO = {"username": "customer@agora.example.com", "password": "agora-demo-2026"}
PRINCIPAL_SQL = (
    "SELECT users.roles FROM users JOIN login_sessions ON login_sessions.user_id = users.id"
    " WHERE users.id = $1 AND users.is_active IS true AND login_sessions.id = $2"
    " AND login_sessions.revoked_at IS NULL AND login_sessions.expires_at > now()"
)
DETAILS_SQL = "SELECT * FROM users WHERE users.id = $1"


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(url: str, *, connections: int, seconds: int, token: str | None) -> int:
    """Requests wrk completed (all must be 2xx)."""
    command = [shutil.which("wrk") or "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx" in out:
        raise SystemExit(f"non-2xx answers from {url}:\n{out}")
    return int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]


def measure(
    pid: int, url: str, *, connections: int, seconds: int, token: str | None = None
) -> float:
    """Milliseconds of server CPU per request."""
    load(url, connections=8, seconds=1, token=token)  # warm-up (and fill the cache)
    before = cpu_seconds(pid)
    requests = load(url, connections=connections, seconds=seconds, token=token)
    return (cpu_seconds(pid) - before) * 1000 / requests


def login(port: int) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/token",
        data=urllib.parse.urlencode(DEMO).encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
        return str(json.load(answer)["access_token"])


def page_of_100(database_url: str) -> list[object]:
    """The reader's SQL for the first page of 100, compiled for asyncpg (as bench/catalog.py
    compiles its pages of 20)."""
    statement, key, _ = build_search(ProductSearch(limit=100))
    order = [key.desc(), products.c.id.desc()]
    compiled = (
        statement.order_by(*order)
        .limit(101)
        .compile(dialect=build_engine(database_url, pool_size=1).dialect)
    )
    return [compiled.string, [compiled.params[n] for n in compiled.positiontup or []]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with scratch_database() as (url, data_dir):
        product_id = asyncio.run(seed(asyncpg_dsn(url)))
        run(url, product_id, data_dir, args)


def run(url: str, product_id: uuid.UUID, data_dir: Path, args: argparse.Namespace) -> None:
    paths = {
        "product detail": (f"/api/v1/products/{product_id}", "/detail"),
        "search q=teapot": ("/api/v1/products?q=teapot&sort=relevance", "/search"),
        "filtered list": (f"/api/v1/products?category_id={CATEGORY}", "/category"),
        "list page of 100": ("/api/v1/products?limit=100", "/list100"),
        "/users/me": ("/api/v1/users/me", "/me"),
    }
    queries = baseline_queries(url, product_id)
    queries["/list100"] = page_of_100(url)
    queries["/me"] = [PRINCIPAL_SQL, []]
    queries["/me/details"] = [DETAILS_SQL, []]
    sql_file = data_dir / "request_cpu.json"
    sql_file.write_text(json.dumps(queries, default=str))
    auth = AuthSettings()
    results: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        token = ""
        for label, cached in (("agora uncached", "false"), ("agora cached", "true")):
            port = free_port()
            env = {
                "DATABASE_URL": url,
                "AGORA_DATA_DIR": str(data_dir / label.replace(" ", "-")),
                "AGORA_LOG_LEVEL": "WARNING",
                "AGORA_DEMO": "true",
                "HTTP_PORT": str(port),
                "CATALOG_CACHE_ENABLED": cached,
                "REDIS_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
            }
            process = start([str(BIN / "agora"), "serve"], env, port)
            try:
                token = login(port)
                for scenario, (path, _) in paths.items():
                    if scenario == "/users/me" and cached == "true":
                        continue  # nothing of it is cached
                    results.setdefault((scenario, label), []).append(
                        measure(
                            process.pid,
                            f"http://127.0.0.1:{port}{path}",
                            connections=args.connections,
                            seconds=args.seconds,
                            token=token if scenario == "/users/me" else None,
                        )
                    )
            finally:
                stop(process)
        port = free_port()
        env = {
            "BASELINE_DSN": asyncpg_dsn(url),
            "BASELINE_SQL": str(sql_file),
            "BASELINE_JWT_SECRET": auth.jwt_secret.get_secret_value(),
            "BASELINE_JWT_ISSUER": auth.jwt_issuer,
            "BASELINE_JWT_AUDIENCE": auth.jwt_audience,
            "PYTHONPATH": str(ROOT),
        }
        process = start(
            [sys.executable, "-m", "bench.baseline_app", str(port), "fastapi"], env, port
        )
        try:
            for scenario, (_, path) in paths.items():
                results.setdefault((scenario, "plain FastAPI"), []).append(
                    measure(
                        process.pid,
                        f"http://127.0.0.1:{port}{path}",
                        connections=args.connections,
                        seconds=args.seconds,
                        token=token if scenario == "/users/me" else None,
                    )
                )
        finally:
            stop(process)
    report(results, list(paths))


def report(results: dict[tuple[str, str], list[float]], scenarios: list[str]) -> None:
    def cell(values: list[float]) -> str:
        return "-".join(f"{v:.2f}" for v in (min(values), max(values)))

    print("server CPU per request, ms (min-max over rounds); ratios of the medians of rounds")
    print(
        f"{'request':<18} {'uncached':>11} {'cached':>11} {'FastAPI':>11} {'unc/FA':>7} {'c/FA':>6}"
    )
    for scenario in scenarios:
        base = results[(scenario, "plain FastAPI")]
        uncached = results[(scenario, "agora uncached")]
        cached = results.get((scenario, "agora cached"))
        mid = sorted(base)[len(base) // 2]
        print(
            f"{scenario:<18} {cell(uncached):>11} {cell(cached) if cached else '—':>11}"
            f" {cell(base):>11} {sorted(uncached)[len(uncached) // 2] / mid:>6.2f}x"
            f" {f'{sorted(cached)[len(cached) // 2] / mid:.2f}x' if cached else '—':>6}"
        )


if __name__ == "__main__":
    main()
