"""The shared asyncio Redis client."""

from redis.asyncio import Redis


def build_redis(url: str) -> "Redis":
    # The health check pings idle connections, so a silently dead pub/sub connection is noticed.
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2, health_check_interval=30)
