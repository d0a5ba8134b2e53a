"""Readiness probes of the services Agora cannot work without. They answer in stable words;
the text of what failed goes to the log, never to whoever asks."""

import asyncio
import logging
from collections.abc import Awaitable

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared.errors import DatabaseUnavailable
from infrastructure.db.engine import ping
from infrastructure.eventlog.monitoring import subscription_statuses

log = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2.0


class DependencyProbes:
    """Checks PostgreSQL and Redis, each within a short timeout: "ok", or why not."""

    def __init__(self, *, engine: AsyncEngine, redis: Redis) -> None:
        self._engine = engine
        self._redis = redis

    async def check(self) -> dict[str, str]:
        database, cache = await asyncio.gather(
            _probe("database", ping(self._engine)), _probe("redis", self._redis.ping())
        )
        return {"database": database, "redis": cache}

    async def subscribers(self) -> list[dict[str, object]]:
        """Position, backlog and state of each event-log subscriber (the relay included).
        Informational: a lagging relay or a stopped projection does not make the API unready.
        Whether it is failing is shown; what failed is in the log and `agora projections
        status`, since an error's text can quote the data it failed on."""
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
                "attempts": s.attempts,
                "failing": s.last_error is not None,
            }
            for s in statuses
        ]


async def _probe(name: str, check: Awaitable[object]) -> str:
    try:
        await asyncio.wait_for(check, PROBE_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure means "not ready", reported in a stable word
        reason = _reason(exc)
        log.warning("readiness: %s %s: %s", name, reason, str(exc) or type(exc).__name__)
        return reason
    return "ok"


def _reason(exc: Exception) -> str:
    if isinstance(exc, DatabaseUnavailable):
        return exc.reason
    if isinstance(exc, TimeoutError | RedisTimeoutError):
        return "timeout"
    if isinstance(exc, RedisConnectionError | OSError):
        return "unreachable"
    return "error"
