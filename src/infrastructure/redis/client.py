"""The shared asyncio Redis client, and the circuit breaker every use of Redis goes through
(the catalog cache, the login throttle, the order-updates publisher and the order feed's
pub/sub), except the readiness probe, which asks Redis itself so that an outage is seen.

A hung Redis (it accepts and never answers) costs each call its full socket timeout; after
`threshold` such failures in a row the circuit opens and calls fail at once, with a RedisError,
so each caller's fallback (PostgreSQL for the catalog, fail-open for the login throttle, a retry
for the order-updates publisher) runs without waiting. See ADR 0018."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

CIRCUIT = "redis"


def build_redis(url: str, *, timeout_seconds: float = 2.0) -> "Redis":
    # The health check pings idle connections, so a silently dead pub/sub connection is noticed.
    return Redis.from_url(
        url,
        socket_connect_timeout=timeout_seconds,
        socket_timeout=timeout_seconds,
        health_check_interval=30,
        retry=no_retry_on_timeout(),
    )


def no_retry_on_timeout() -> Retry:
    """One retry of a broken connection (a pooled socket Redis closed on restart), none of a
    timeout: a server that did not answer in time will not answer a second call either, and
    the breaker, not the client, decides when to try again."""
    return Retry(
        ExponentialWithJitterBackoff(base=0.05, cap=0.5),
        retries=1,
        supported_errors=(RedisConnectionError,),
    )


class RedisCircuitOpen(RedisConnectionError):
    """Redis failed too often in a row: calls fail at once until the circuit lets one through."""


class RedisCircuit:
    """One breaker for the process's Redis, shared by every use of it (purgatory, as for the
    payment provider). Timeouts and refused or broken connections count; any other outcome,
    an answer or an error of the caller's own, closes it. A cancelled call (its caller left,
    perhaps while Redis hung) counts as a failure, as in the payment gateway: purgatory counts
    an excluded exception as a success, and a cancelled probe must not close the circuit."""

    def __init__(self, *, threshold: int, reset_seconds: float) -> None:
        self._breakers = AsyncCircuitBreakerFactory(
            default_threshold=threshold,
            default_ttl=reset_seconds,
            exclude=[(Exception, lambda exc: not _is_outage(exc))],
        )

    @asynccontextmanager
    async def guard(self) -> AsyncIterator[None]:
        """Run the block's Redis calls under the breaker; RedisCircuitOpen while it is open."""
        try:
            breaker = await self._breakers.get_breaker(CIRCUIT)
            async with breaker:
                yield
        except OpenedState as exc:
            # purgatory raises one instance every time; its traceback would grow with each.
            exc.__traceback__ = None
            raise RedisCircuitOpen("Redis is failing; its circuit is open") from None

    async def state(self) -> str:
        """ "closed", "opened" or "half-opened"."""
        breaker = await self._breakers.get_breaker(CIRCUIT)
        return str(breaker.context.state)


def _is_outage(exc: BaseException) -> bool:
    return isinstance(exc, RedisConnectionError | RedisTimeoutError | OSError | TimeoutError)
