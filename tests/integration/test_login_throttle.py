"""The login throttle on real Redis, through the `limits` library."""

import uuid

import pytest

from application.shared.errors import TooManyAttempts
from infrastructure.redis.client import RedisCircuit
from infrastructure.redis.login_throttle import RedisLoginThrottle, limits_storage


def throttle(redis_url: str, prefix: str) -> RedisLoginThrottle:
    return RedisLoginThrottle(
        storage=limits_storage(redis_url, key_prefix=f"{prefix}-{uuid.uuid4().hex[:6]}"),
        circuit=RedisCircuit(threshold=3, reset_seconds=10),
        per_ip="3/minute",
        per_account="2/minute",
        registrations_per_ip="2/minute",
        guests_per_ip="2/minute",
    )


async def test_failures_count_per_account_case_insensitively(
    redis_url: str, redis_prefix: str
) -> None:
    limiter = throttle(redis_url, redis_prefix)
    await limiter.record_failure(email="Ada@Example.com", client_ip="192.0.2.1")
    await limiter.record_failure(email="ada@example.com", client_ip="192.0.2.2")
    with pytest.raises(TooManyAttempts) as refused:
        await limiter.check(email="ADA@example.com", client_ip="192.0.2.3")
    assert 1 <= refused.value.retry_after <= 60


async def test_every_attempt_counts_per_address(redis_url: str, redis_prefix: str) -> None:
    limiter = throttle(redis_url, redis_prefix)
    for n in range(3):
        await limiter.check(email=f"user{n}@example.com", client_ip="198.51.100.7")
    with pytest.raises(TooManyAttempts):
        await limiter.check(email="user9@example.com", client_ip="198.51.100.7")
    await limiter.check(email="user9@example.com", client_ip="198.51.100.8")


async def test_a_refusal_is_an_answer_and_never_opens_the_redis_circuit(
    redis_url: str, redis_prefix: str
) -> None:
    circuit = RedisCircuit(threshold=1, reset_seconds=600)
    limiter = RedisLoginThrottle(
        storage=limits_storage(redis_url, key_prefix=f"{redis_prefix}-{uuid.uuid4().hex[:6]}"),
        circuit=circuit,
        per_ip="1/minute",
        per_account="5/minute",
        registrations_per_ip="5/minute",
        guests_per_ip="5/minute",
    )
    await limiter.check(email="ada@example.com", client_ip="192.0.2.9")
    for _ in range(3):
        with pytest.raises(TooManyAttempts):
            await limiter.check(email="ada@example.com", client_ip="192.0.2.9")
    assert await circuit.state() == "closed"


async def test_registrations_count_per_address_apart_from_logins(
    redis_url: str, redis_prefix: str
) -> None:
    limiter = throttle(redis_url, redis_prefix)
    for _ in range(2):
        await limiter.check_registration(client_ip="198.51.100.7")
    with pytest.raises(TooManyAttempts) as refused:
        await limiter.check_registration(client_ip="198.51.100.7")
    assert "registrations" in refused.value.detail
    await limiter.check_registration(client_ip="198.51.100.8")
    await limiter.check(email="ada@example.com", client_ip="198.51.100.7")


async def test_guest_sessions_count_per_address_apart_from_registrations(
    redis_url: str, redis_prefix: str
) -> None:
    limiter = throttle(redis_url, redis_prefix)
    for _ in range(2):
        await limiter.check_guest(client_ip="198.51.100.7")
    with pytest.raises(TooManyAttempts) as refused:
        await limiter.check_guest(client_ip="198.51.100.7")
    assert "guest sessions" in refused.value.detail
    await limiter.check_guest(client_ip="198.51.100.8")
    await limiter.check_registration(client_ip="198.51.100.7")


async def test_an_unreachable_redis_lets_logins_through(redis_prefix: str) -> None:
    limiter = throttle("redis://127.0.0.1:1/0", redis_prefix)
    await limiter.check(email="ada@example.com", client_ip="192.0.2.1")
    await limiter.record_failure(email="ada@example.com", client_ip="192.0.2.1")
    await limiter.check_registration(client_ip="192.0.2.1")
    await limiter.check_guest(client_ip="192.0.2.1")
