"""The order-updates publisher behind the Redis circuit breaker: against a hung Redis, the first
publishes time out, then each retry fails at once without reaching the server."""

import pytest
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.eventlog.store import EventStore, NewEvents, PendingEvent, StoredEvent
from infrastructure.ordering.subscribers import OrderUpdatesPublisher
from infrastructure.redis.client import RedisCircuit, RedisCircuitOpen, build_redis
from tests.support.eventlog import REGISTRY
from tests.support.orders import placed
from tests.support.tcp_proxy import TcpProxy


async def order_events(engine: AsyncEngine) -> list[StoredEvent]:
    order = placed()
    async with engine.begin() as conn:
        store = EventStore(conn, REGISTRY)
        await store.append(
            [
                NewEvents(
                    stream_type=order.stream_type,
                    stream_id=order.stream_id,
                    events=[PendingEvent.new(e) for e in order.collect_events()],
                    expected_version=0,
                )
            ]
        )
        return await store.read_stream(order.stream_id)


async def test_publishing_to_a_hung_redis_fails_fast_once_the_circuit_opens(
    engine: AsyncEngine, redis_prefix: str
) -> None:
    events = await order_events(engine)
    circuit = RedisCircuit(threshold=2, reset_seconds=600)
    async with TcpProxy(hung=True) as hung:
        client = build_redis(f"redis://{hung.address}/0", timeout_seconds=0.2)
        publisher = OrderUpdatesPublisher(client, REGISTRY, circuit=circuit, prefix=redis_prefix)
        try:
            for _ in range(2):
                async with engine.connect() as conn:
                    with pytest.raises(RedisTimeoutError):
                        await publisher.handle(events, conn)
            reached = hung.received
            assert reached >= 2
            for _ in range(5):  # the subscriber's retries
                async with engine.connect() as conn:
                    with pytest.raises(RedisCircuitOpen) as refused:
                        await publisher.handle(events, conn)
                assert isinstance(refused.value, RedisError)  # its retry policy applies
            assert hung.received == reached
            assert await circuit.state() == "opened"
        finally:
            await client.aclose()
