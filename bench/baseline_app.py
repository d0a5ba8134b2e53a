"""The read benchmarks' baselines: the same requests answered with the same SQL through raw
asyncpg, in two forms: a bare ASGI app (no framework, no layers, no cache) and a plain FastAPI
app (routing, dependency injection, FastAPI's JSON response) with nothing else. Both verify
the bearer token of an authenticated path with python-jose, as Agora does.

Configured by BASELINE_DSN and BASELINE_SQL, a JSON file of
{path: {"statements": [[sql, [arg, ...]], ...], "auth": bool}} written by bench/reads.py; an
argument is a JSON value, {"decimal": "1.50"}, or {"claim": "sub"} (from the verified token).
Every statement must return a row for the request to succeed; the last one's rows are the
body. Run as `python -m bench.baseline_app PORT bare|fastapi`: uvicorn with the HTTP options
`agora serve` uses."""

import json
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import uvicorn
from fastapi import FastAPI, Header, HTTPException, Request
from jose import JWTError, jwt

from agora.server import http_options
from agora.settings import AuthSettings, HttpSettings

_pool: asyncpg.Pool | None = None
_paths: dict[str, dict[str, Any]] = {}
_AUTH = AuthSettings()


async def _open() -> None:
    global _pool
    _pool = await asyncpg.create_pool(os.environ["BASELINE_DSN"], min_size=4, max_size=10)
    # Read once, before serving: blocking here delays nothing.
    _paths.update(json.loads(Path(os.environ["BASELINE_SQL"]).read_text()))  # noqa: ASYNC240


def _claims(authorization: str | None) -> dict[str, Any] | None:
    if not authorization or not authorization.startswith("Bearer "):
        return None
    try:
        return jwt.decode(
            authorization.removeprefix("Bearer "),
            _AUTH.jwt_secret.get_secret_value(),
            algorithms=["HS256"],
            audience=_AUTH.jwt_audience,
            issuer=_AUTH.jwt_issuer,
        )
    except JWTError:
        return None


def _argument(value: Any, claims: dict[str, Any]) -> Any:
    if isinstance(value, dict) and "decimal" in value:
        return Decimal(value["decimal"])
    if isinstance(value, dict) and "claim" in value:
        return claims[value["claim"]]
    return value


async def _answer(path: str, authorization: str | None) -> list[dict[str, Any]] | None:
    """The last statement's rows, or None when the caller is not let in."""
    spec = _paths[path]
    claims = _claims(authorization) if spec.get("auth") else {}
    if claims is None:
        return None
    assert _pool is not None
    rows: list[asyncpg.Record] = []
    async with _pool.acquire() as conn:
        for sql, args in spec["statements"]:
            rows = await conn.fetch(sql, *(_argument(a, claims) for a in args))
            if not rows:
                return None
    return [dict(r) for r in rows]


async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The bare ASGI form."""
    if scope["type"] == "lifespan":
        message = await receive()
        if message["type"] == "lifespan.startup":
            await _open()
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
        if message["type"] == "lifespan.shutdown":
            assert _pool is not None
            await _pool.close()
            await send({"type": "lifespan.shutdown.complete"})
        return
    headers = dict(scope["headers"])
    authorization = headers.get(b"authorization", b"").decode() or None
    rows = await _answer(scope["path"], authorization)
    status, body = (200, json.dumps(rows, default=str).encode()) if rows else (401, b"{}")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def plain_fastapi() -> FastAPI:
    """The FastAPI form: one route per path, its JSON response, nothing else."""
    app = FastAPI(on_startup=[_open])

    async def route(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> list[dict[str, Any]]:
        rows = await _answer(request.url.path, authorization)
        if rows is None:
            raise HTTPException(401)
        return rows

    for path in json.loads(Path(os.environ["BASELINE_SQL"]).read_text()):
        app.add_api_route(path, route, methods=["GET"])
    return app


if __name__ == "__main__":
    form = sys.argv[2] if len(sys.argv) > 2 else "bare"
    uvicorn.run(
        bare if form == "bare" else plain_fastapi(),
        host="127.0.0.1",
        port=int(sys.argv[1]),
        loop="uvloop",
        access_log=False,
        log_level="warning",
        **http_options(HttpSettings()),
    )
