"""Login and registration throttling in Redis with the `limits` library (moving-window
counters), behind the Redis circuit breaker: while Redis is away or hung, attempts are let
through at once (fail open, ADR 0018)."""

import logging
import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

from application.shared.errors import TooManyAttempts
from infrastructure.redis.client import RedisCircuit, no_retry_on_timeout

log = logging.getLogger(__name__)


class RedisLoginThrottle:
    """Every login attempt counts against the client address; failures count against the
    account; every registration, and every guest session, counts against the client address,
    each apart from the others; password reset requests count against the email asked for."""

    def __init__(
        self,
        *,
        storage: Storage,
        circuit: RedisCircuit,
        per_ip: str,
        per_account: str,
        registrations_per_ip: str,
        guests_per_ip: str,
        password_resets_per_email: str = "5 per hour",  # noqa: S107 - a rate limit
    ) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._circuit = circuit
        self._per_ip: RateLimitItem = parse(per_ip)
        self._per_account: RateLimitItem = parse(per_account)
        self._registrations_per_ip: RateLimitItem = parse(registrations_per_ip)
        self._guests_per_ip: RateLimitItem = parse(guests_per_ip)
        self._resets_per_email: RateLimitItem = parse(password_resets_per_email)

    async def check(self, *, email: str, client_ip: str) -> None:
        account = email.strip().lower()
        try:
            async with self._circuit.guard():
                if not await self._limiter.hit(self._per_ip, "login-ip", client_ip):
                    await self._refuse(self._per_ip, "login-ip", client_ip)
                if not await self._limiter.test(self._per_account, "login-account", account):
                    await self._refuse(self._per_account, "login-account", account)
        except RedisError as exc:
            # Fail open: an unreachable Redis must not lock every customer out. Argon2's cost
            # still bounds guessing speed, and /health/ready reports Redis as down.
            log.warning("login throttle unavailable; allowing the attempt: %s", exc)

    async def check_registration(self, *, client_ip: str) -> None:
        item = self._registrations_per_ip
        try:
            async with self._circuit.guard():
                if not await self._limiter.hit(item, "register-ip", client_ip):
                    await self._refuse(item, "register-ip", client_ip, what="registrations")
        except RedisError as exc:
            # Fail open, as logins do: the password hash is the cost an outage leaves unbounded.
            log.warning("registration throttle unavailable; allowing the attempt: %s", exc)

    async def check_guest(self, *, client_ip: str) -> None:
        item = self._guests_per_ip
        try:
            async with self._circuit.guard():
                if not await self._limiter.hit(item, "guest-ip", client_ip):
                    await self._refuse(item, "guest-ip", client_ip, what="guest sessions")
        except RedisError as exc:
            # Fail open, as registrations do: a guest session costs one row.
            log.warning("guest throttle unavailable; allowing the session: %s", exc)

    async def check_password_reset(self, *, email: str) -> None:
        item = self._resets_per_email
        try:
            async with self._circuit.guard():
                if not await self._limiter.hit(item, "reset-email", email.strip().lower()):
                    await self._refuse(item, "reset-email", email, what="password reset requests")
        except RedisError as exc:
            # Fail open, as registrations do: a request costs a row and a mail.
            log.warning("password reset throttle unavailable; allowing the request: %s", exc)

    async def record_failure(self, *, email: str, client_ip: str) -> None:
        try:
            async with self._circuit.guard():
                await self._limiter.hit(self._per_account, "login-account", email.strip().lower())
        except RedisError as exc:
            log.warning("login throttle unavailable; failure not counted: %s", exc)

    async def _refuse(
        self, item: RateLimitItem, *identifiers: str, what: str = "login attempts"
    ) -> None:
        stats = await self._limiter.get_window_stats(item, *identifiers)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyAttempts(f"too many {what}; try again later", retry_after=retry_after)


def limits_storage(
    redis_url: str | None, *, key_prefix: str, timeout_seconds: float = 2.0
) -> Storage:
    """Counters in Redis, shared by every replica; a process without Redis (a worker started
    without REDIS_URL, which serves no logins) counts in its own memory. `limits` spells a
    Unix-socket Redis `redis+unix://`, redis-py `unix://`."""
    if redis_url is None:
        return MemoryStorage()
    if redis_url.startswith("unix://"):
        redis_url = "redis+unix://" + redis_url.removeprefix("unix://")
    # The same timeouts and retries as the shared client: a hung Redis costs one timeout per
    # call until the circuit opens, never the retries of each.
    return RedisStorage(
        redis_url,
        implementation="redispy",
        key_prefix=key_prefix,
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
        retry=no_retry_on_timeout(),  # type: ignore[arg-type]
    )
