"""Readiness probes of the services Agora cannot work without."""

import asyncio
from collections.abc import Awaitable

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.db.engine import ping
from infrastructure.eventlog.monitoring import subscription_statuses

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

    async def subscribers(self) -> list[dict[str, object]]:
        """Position, backlog and state of each event-log subscriber (the relay included).
        Informational: a lagging relay or a stopped projection does not make the API unready."""
        try:
            statuses = await asyncio.wait_for(
                subscription_statuses(self._engine), PROBE_TIMEOUT_SECONDS
            )
        except Exception:  # reported by /health/ready as a missing section, never as an error
            return []
        return [
            {
                "name": s.name,
                "status": s.status,
                "position": s.position,
                "pending_events": s.pending,
                "lag_seconds": round(s.lag_seconds, 3),
                "dead_letters": s.dead_letters,
                "last_error": s.last_error,
            }
            for s in statuses
        ]


async def _probe(check: Awaitable[object]) -> str:
    try:
        await asyncio.wait_for(check, PROBE_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure means "not ready", reported by name
        return f"unavailable: {type(exc).__name__}"
    return "ok"
