"""The benchmark's baseline: a bare ASGI app answering the same catalog requests with the same
SQL through raw asyncpg: no framework, no layers, no cache. Configured by BASELINE_DSN and
BASELINE_SQL (a JSON file of {path: [sql, [args...]]} written by bench/catalog.py). Run as
`python -m bench.baseline_app PORT`: uvicorn with the HTTP options `agora serve` uses."""

import json
import os
import sys
from pathlib import Path
from typing import Any

import asyncpg
import uvicorn

from agora.server import http_options
from agora.settings import HttpSettings

_pool: asyncpg.Pool | None = None
_queries: dict[str, tuple[str, list[Any]]] = {}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _pool
    if scope["type"] == "lifespan":
        message = await receive()
        if message["type"] == "lifespan.startup":
            _pool = await asyncpg.create_pool(os.environ["BASELINE_DSN"], min_size=4, max_size=10)
            # Read once, before serving: blocking here delays nothing.
            loaded = json.loads(Path(os.environ["BASELINE_SQL"]).read_text())  # noqa: ASYNC240
            _queries.update({k: (v[0], v[1]) for k, v in loaded.items()})
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
        if message["type"] == "lifespan.shutdown":
            assert _pool is not None
            await _pool.close()
            await send({"type": "lifespan.shutdown.complete"})
        return
    sql, args = _queries[scope["path"]]
    assert _pool is not None
    rows = await _pool.fetch(sql, *args)
    body = json.dumps([dict(r) for r in rows], default=str).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        loop="uvloop",
        access_log=False,
        log_level="warning",
        **http_options(HttpSettings()),
    )
