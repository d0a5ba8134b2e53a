"""Login and registration throttling in Redis with the `limits` library (moving-window
counters)."""

import logging
import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

from application.shared.errors import TooManyAttempts

log = logging.getLogger(__name__)


class RedisLoginThrottle:
    """Every login attempt counts against the client address; failures count against the
    account; every registration counts against the client address, apart from logins."""

    def __init__(
        self, *, storage: Storage, per_ip: str, per_account: str, registrations_per_ip: str
    ) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._per_ip: RateLimitItem = parse(per_ip)
        self._per_account: RateLimitItem = parse(per_account)
        self._registrations_per_ip: RateLimitItem = parse(registrations_per_ip)

    async def check(self, *, email: str, client_ip: str) -> None:
        account = email.strip().lower()
        try:
            if not await self._limiter.hit(self._per_ip, "login-ip", client_ip):
                await self._refuse(self._per_ip, "login-ip", client_ip)
            if not await self._limiter.test(self._per_account, "login-account", account):
                await self._refuse(self._per_account, "login-account", account)
        except RedisError:
            # Fail open: an unreachable Redis must not lock every customer out. Argon2's cost
            # still bounds guessing speed, and /health/ready reports Redis as down.
            log.exception("login throttle unavailable; allowing the attempt")

    async def check_registration(self, *, client_ip: str) -> None:
        try:
            if not await self._limiter.hit(self._registrations_per_ip, "register-ip", client_ip):
                await self._refuse(
                    self._registrations_per_ip, "register-ip", client_ip, what="registrations"
                )
        except RedisError:
            # Fail open, as logins do: the password hash is the cost an outage leaves unbounded.
            log.exception("registration throttle unavailable; allowing the attempt")

    async def record_failure(self, *, email: str, client_ip: str) -> None:
        try:
            await self._limiter.hit(self._per_account, "login-account", email.strip().lower())
        except RedisError:
            log.exception("login throttle unavailable; failure not counted")

    async def _refuse(
        self, item: RateLimitItem, *identifiers: str, what: str = "login attempts"
    ) -> None:
        stats = await self._limiter.get_window_stats(item, *identifiers)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyAttempts(f"too many {what}; try again later", retry_after=retry_after)


def limits_storage(redis_url: str | None, *, key_prefix: str) -> Storage:
    """Counters in Redis, shared by every replica; a process without Redis (a worker started
    without REDIS_URL, which serves no logins) counts in its own memory. `limits` spells a
    Unix-socket Redis `redis+unix://`, redis-py `unix://`."""
    if redis_url is None:
        return MemoryStorage()
    if redis_url.startswith("unix://"):
        redis_url = "redis+unix://" + redis_url.removeprefix("unix://")
    # Timeouts make an unresponsive Redis fail fast, so the throttle fails open promptly.
    return RedisStorage(
        redis_url,
        implementation="redispy",
        key_prefix=key_prefix,
        socket_timeout=2,
        socket_connect_timeout=2,
    )
