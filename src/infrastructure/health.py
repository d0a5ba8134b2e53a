"""Readiness probes of the services Agora cannot work without."""

import asyncio
from collections.abc import Awaitable

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.db.engine import ping

PROBE_TIMEOUT_SECONDS = 2.0


class DependencyProbes:
    """Checks PostgreSQL and Redis, each within a short timeout."""

    def __init__(self, *, engine: AsyncEngine, redis: Redis) -> None:
        self._engine = engine
        self._redis = redis

    async def check(self) -> dict[str, str]:
        database, cache = await asyncio.gather(
            _probe(ping(self._engine)), _probe(self._redis.ping())
        )
        return {"database": database, "redis": cache}


async def _probe(check: Awaitable[object]) -> str:
    try:
        await asyncio.wait_for(check, PROBE_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure means "not ready", reported by name
        return f"unavailable: {type(exc).__name__}"
    return "ok"
