"""Reads: five requests against Agora (catalog cache on and off), a plain FastAPI + asyncpg app
and a bare ASGI app, the last two running the very SQL Agora's readers compile
(bench/baseline_app.py). Each server in turn, the same load (wrk, or httpx without it), server
CPU per request from the server process's own CPU time.

  product detail   GET /api/v1/products/{id}
  search q=mug     GET /api/v1/products?q=mug&sort=relevance
  filtered list    GET /api/v1/products?category_id=..&min_price=10&max_price=200
  /users/me        GET /api/v1/users/me (bearer token; the session and account are read)
  list of 100      GET /api/v1/products?limit=100
"""

import asyncio
import contextlib
import json
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import sqlalchemy as sa
from harness import (
    ROOT,
    Process,
    Row,
    Services,
    Table,
    agora_serve,
    free_port,
    http_load,
    wait_http,
)

from application.catalog.views import ProductSearch
from infrastructure.catalog.readers import DETAILS, build_search
from infrastructure.catalog.tables import products
from infrastructure.db.engine import asyncpg_dsn, build_engine
from infrastructure.identity.tables import login_sessions, users

CATEGORY = uuid.UUID(int=7)
DEMO = {"username": "customer@agora.example.com", "password": "agora-demo-2026"}
GROUP = "reads"


@dataclass(frozen=True)
class Request:
    """One read: its path on Agora, its path on the baselines, whether it needs a token."""

    name: str
    agora: str
    baseline: str
    auth: bool = False
    cached: bool = True  # whether the catalog cache serves it


async def seed(dsn: str, *, count: int) -> uuid.UUID:
    """`count` active products in a tree of 21 categories; every 100th is a mug."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "INSERT INTO categories (id, name, slug, parent_id, created_at)"
            " VALUES ($1, 'Kitchen', 'kitchen', NULL, now())",
            CATEGORY,
        )
        await conn.execute(
            "INSERT INTO categories (id, name, slug, parent_id, created_at)"
            " SELECT gen_random_uuid(), 'c' || n, 'c' || n, $1, now()"
            " FROM generate_series(1, 20) n",
            CATEGORY,
        )
        await conn.execute(
            """
            INSERT INTO products (id, sku, name, description, price_amount, price_currency,
                                  category_id, attributes, image_ids, status, created_at,
                                  updated_at, version)
            SELECT gen_random_uuid(), 'READ-' || n,
                   CASE WHEN n % 100 = 0 THEN 'Mug ' || n ELSE 'Thing ' || n END,
                   'a product for the benchmark', (n % 300) + 0.5, 'EUR',
                   (SELECT id FROM categories WHERE slug = 'c' || (n % 40 + 1)),
                   '{"color": "grey"}', '{}', 'active', now() - n * interval '1 second', now(), 0
              FROM generate_series(1, $1::int) n
            """,
            count,
        )
        await conn.execute("ANALYZE")
        found = await conn.fetchval("SELECT id FROM products ORDER BY sku LIMIT 1")
        return uuid.UUID(str(found))
    finally:
        await conn.close()


def _argument(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return value


def _compiled(statement: sa.Select[Any], dialect: sa.Dialect) -> list[Any]:
    compiled = statement.compile(dialect=dialect)
    args = []
    for name in compiled.positiontup or []:
        value = compiled.params[name]
        args.append({"claim": name} if name in ("sub", "sid") else _argument(value))
    return [compiled.string, args]


def baseline_sql(database_url: str, product_id: uuid.UUID) -> dict[str, Any]:
    """The SQL Agora's readers run for each request, compiled for asyncpg."""
    dialect = build_engine(database_url, pool_size=1).dialect

    def search(query: ProductSearch) -> dict[str, Any]:
        statement, key, descending = build_search(query)
        order = [key.desc(), products.c.id.desc()] if descending else [key, products.c.id]
        return {
            "statements": [_compiled(statement.order_by(*order).limit(query.limit + 1), dialect)]
        }

    detail = sa.select(*DETAILS).where(products.c.id == product_id, products.c.status == "active")
    principal = (
        sa.select(users.c.roles)
        .join(login_sessions, login_sessions.c.user_id == users.c.id)
        .where(
            users.c.id == sa.bindparam("sub", type_=sa.Uuid),
            users.c.is_active.is_(True),
            login_sessions.c.id == sa.bindparam("sid", type_=sa.Uuid),
            login_sessions.c.revoked_at.is_(None),
            login_sessions.c.expires_at > sa.func.now(),
        )
    )
    me = sa.select(users).where(users.c.id == sa.bindparam("sub", type_=sa.Uuid))
    return {
        "/detail": {"statements": [_compiled(detail, dialect)]},
        "/search": search(ProductSearch(text="mug", sort="relevance", limit=20)),
        "/filtered": search(
            ProductSearch(
                category_id=CATEGORY, min_price=Decimal(10), max_price=Decimal(200), limit=20
            )
        ),
        "/me": {
            "statements": [_compiled(principal, dialect), _compiled(me, dialect)],
            "auth": True,
        },
        "/list100": search(ProductSearch(limit=100)),
    }


def requests(product_id: uuid.UUID) -> list[Request]:
    return [
        Request("product detail", f"/api/v1/products/{product_id}", "/detail"),
        Request("search q=mug", "/api/v1/products?q=mug&sort=relevance", "/search"),
        Request(
            "filtered list",
            f"/api/v1/products?category_id={CATEGORY}&min_price=10&max_price=200",
            "/filtered",
        ),
        Request("/users/me", "/api/v1/users/me", "/me", auth=True, cached=False),
        Request("list of 100", "/api/v1/products?limit=100", "/list100"),
    ]


def run(
    table: Table,
    services: Services,
    *,
    products_count: int,
    seconds: float,
    conns: int,
    warm_up: float | None,
) -> None:
    """Every read on every server; `warm_up` seconds of load before each cell (None: a few
    requests, enough to fill the cache)."""
    table.group(
        GROUP,
        f"req/s; latency; server CPU per request; {products_count:,} products,"
        f" {conns} connections, {seconds:g} s per cell; base: plain FastAPI + asyncpg, same SQL",
    )
    with services.database("reads") as url:
        product_id = asyncio.run(seed(asyncpg_dsn(url), count=products_count))
        sql_file = services.data_dir / "baseline-sql.json"
        sql_file.write_text(json.dumps(baseline_sql(url, product_id)))
        reads = requests(product_id)
        results: dict[tuple[str, str], Row] = {}
        token = ""
        # Agora first: its demo seeding creates the account whose token /users/me uses.
        servers = [
            (
                "Agora, uncached",
                agora_serve(
                    services,
                    url,
                    label="reads-uncached",
                    AGORA_DEMO="true",
                    CATALOG_CACHE_ENABLED="false",
                ),
            ),
            (
                "Agora, cached",
                agora_serve(
                    services,
                    url,
                    label="reads-cached",
                    AGORA_DEMO="true",
                    CATALOG_CACHE_ENABLED="true",
                ),
            ),
            ("plain FastAPI + asyncpg", baseline_server(services, url, sql_file, "fastapi")),
            ("bare ASGI + asyncpg", baseline_server(services, url, sql_file, "bare")),
        ]
        for label, server in servers:
            with server as (process, base):
                token = token or asyncio.run(_login(base))
                agora = label.startswith("Agora")
                for read in reads:
                    if label == "Agora, cached" and not read.cached:
                        continue
                    results[(read.name, label)] = _cell(
                        read.name,
                        label,
                        base + (read.agora if agora else read.baseline),
                        process,
                        token if read.auth else None,
                        seconds,
                        conns,
                        warm_up,
                    )
        for read in reads:
            reference = results[(read.name, "plain FastAPI + asyncpg")]
            for label in (
                "plain FastAPI + asyncpg",
                "bare ASGI + asyncpg",
                "Agora, uncached",
                "Agora, cached",
            ):
                if (read.name, label) in results:
                    row = results[(read.name, label)]
                    row.baseline = None if row is reference else reference
                    table.add(row)


def _cell(
    name: str,
    label: str,
    url: str,
    process: Process,
    token: str | None,
    seconds: float,
    conns: int,
    warm_up: float | None,
) -> Row:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    if warm_up is None:  # fill the cache, open the pools
        with httpx.Client(headers=headers, timeout=30) as client:
            for _ in range(20):
                client.get(url).raise_for_status()
    else:
        http_load(url, seconds=warm_up, connections=4, headers=headers)
    load = http_load(url, seconds=seconds, connections=conns, headers=headers, cpu_of=[process.pid])
    note = f"{load.errors} non-2xx" if load.errors else ""
    return Row(
        GROUP,
        f"{name}: {label}",
        load.rate,
        load.p50,
        load.p99,
        load.cpu_ms,
        note=note,
    )


async def _login(base_url: str) -> str:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.post("/api/v1/auth/token", data=DEMO)
        response.raise_for_status()
        return str(response.json()["access_token"])


@contextlib.contextmanager
def baseline_server(
    services: Services, url: str, sql_file: Path, form: str
) -> Iterator[tuple[Process, str]]:
    """bench/baseline_app.py in the given form on a free port; the process and its base URL."""
    port = free_port()
    env = {"BASELINE_DSN": asyncpg_dsn(url), "BASELINE_SQL": str(sql_file), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bench.baseline_app", str(port), form]
    process = Process(command, env=env, log=services.data_dir / f"{form}.log")
    try:
        wait_http(process, port, "/detail")
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.stop()
