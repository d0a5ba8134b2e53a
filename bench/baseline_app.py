"""The benchmark's baselines: a bare ASGI app answering the same catalog requests with the same
SQL through raw asyncpg: no framework, no layers, no cache; and `plain_fastapi`, the same SQL
behind a plain FastAPI route (its default JSON response, no middleware, no response model).
Configured by BASELINE_DSN and BASELINE_SQL (a JSON file of {path: [sql, [args...]]} written by
bench/catalog.py or bench/request_cpu.py; `/me` checks a bearer JWT, then runs `/me` with the
user and session ids and `/me/details` with the user id, as bench/request_cpu.py sets up). Run
as `python -m bench.baseline_app PORT [fastapi]`: uvicorn with the HTTP options `agora serve`
uses."""

import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import uvicorn
from fastapi import FastAPI, Header, HTTPException
from jose import jwt

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


def plain_fastapi() -> FastAPI:
    """The same SQL as `app`, the way a plain FastAPI service would serve it."""

    async def startup() -> None:
        global _pool
        _pool = await asyncpg.create_pool(os.environ["BASELINE_DSN"], min_size=4, max_size=10)
        loaded = json.loads(Path(os.environ["BASELINE_SQL"]).read_text())  # noqa: ASYNC240
        _queries.update({k: (v[0], v[1]) for k, v in loaded.items()})

    service = FastAPI(on_startup=[startup])

    @service.get("/me")
    async def me(authorization: str = Header()) -> dict[str, Any]:
        secret = os.environ.get("BASELINE_JWT_SECRET", "")
        try:
            claims = jwt.decode(
                authorization.removeprefix("Bearer "),
                secret,
                algorithms=["HS256"],
                audience=os.environ.get("BASELINE_JWT_AUDIENCE"),
                issuer=os.environ.get("BASELINE_JWT_ISSUER"),
            )
        except Exception:
            raise HTTPException(401) from None
        assert _pool is not None
        user_id, session_id = uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"])
        if await _pool.fetchval(_queries["/me"][0], user_id, session_id) is None:
            raise HTTPException(401)
        row = await _pool.fetchrow(_queries["/me/details"][0], user_id)
        return {k: v for k, v in dict(row or {}).items() if k != "password_hash"}

    @service.get("/{name}")
    async def read(name: str) -> list[dict[str, Any]]:
        assert _pool is not None
        sql, args = _queries[f"/{name}"]
        return [dict(r) for r in await _pool.fetch(sql, *args)]

    return service


if __name__ == "__main__":
    uvicorn.run(
        plain_fastapi() if sys.argv[2:] == ["fastapi"] else app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        loop="uvloop",
        access_log=False,
        log_level="warning",
        **http_options(HttpSettings()),
    )
