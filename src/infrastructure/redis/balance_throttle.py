"""Gift card balance checks limited per client address in Redis (moving window, the `limits`
library, as logins are), behind the Redis circuit breaker. While Redis is away or hung, checks
are let through (fail open, as logins do, ADR 0018): a code holds 80 random bits, so what an
outage lets through cannot find one; the limit keeps a guesser from even trying at scale."""

import logging
import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

from application.shared.errors import TooManyAttempts
from infrastructure.redis.client import RedisCircuit

log = logging.getLogger(__name__)


class RedisBalanceCheckThrottle:
    """Every balance check counts against the client address, whatever its code."""

    def __init__(self, *, storage: Storage, circuit: RedisCircuit, per_ip: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._circuit = circuit
        self._per_ip: RateLimitItem = parse(per_ip)

    async def check(self, *, client_ip: str) -> None:
        try:
            async with self._circuit.guard():
                if await self._limiter.hit(self._per_ip, "gift-card-balance-ip", client_ip):
                    return
                stats = await self._limiter.get_window_stats(
                    self._per_ip, "gift-card-balance-ip", client_ip
                )
        except RedisError as exc:
            log.warning("balance-check throttle unavailable; allowing the check: %s", exc)
            return
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyAttempts("too many balance checks; try again later", retry_after=retry_after)
