"""The shared asyncio Redis client."""

from redis.asyncio import Redis


def build_redis(url: str) -> "Redis":
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
