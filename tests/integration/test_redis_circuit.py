"""The Redis circuit breaker counts only what Redis did: a call its caller cancelled (a client
that left while Redis hung) is not an answer, so it must not close a half-open circuit."""

import asyncio
import contextlib

from redis.exceptions import TimeoutError as RedisTimeoutError

from infrastructure.redis.client import RedisCircuit, build_redis
from tests.support.tcp_proxy import TcpProxy


async def test_a_cancelled_call_does_not_close_a_half_open_circuit(redis_prefix: str) -> None:
    circuit = RedisCircuit(threshold=1, reset_seconds=0.05)
    async with TcpProxy(hung=True) as hung:
        client = build_redis(f"redis://{hung.address}/0", timeout_seconds=0.2)
        try:
            with contextlib.suppress(RedisTimeoutError):
                async with circuit.guard():
                    await client.get(f"{redis_prefix}:k")
            assert await circuit.state() == "opened"
            await asyncio.sleep(0.1)  # past the reset time: the next call is let through

            entered = asyncio.Event()

            async def probe() -> None:
                async with circuit.guard():
                    entered.set()
                    await client.get(f"{redis_prefix}:k")

            task = asyncio.create_task(probe())
            await entered.wait()
            assert await circuit.state() == "half-opened"
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            assert await circuit.state() == "opened"
        finally:
            await client.aclose()
