"""Order updates across API replicas: the `order-updates` subscriber publishes each on a Redis
channel each process subscribes to once. Pub/sub is at most once: clients resume from the log."""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from application.ordering.ports import LiveUpdatesUnavailable
from application.ordering.views import OrderUpdate
from infrastructure.eventlog.registry import from_json_value, to_json_value
from infrastructure.redis.client import RedisCircuit

log = logging.getLogger(__name__)

READY_TIMEOUT_SECONDS = 5.0
PING_MESSAGE = "agora-order-feed"


def channel(prefix: str) -> str:
    """The one channel every order change is published on."""
    return f"{prefix}:order-updates"


def encode(update: OrderUpdate) -> str:
    return json.dumps(to_json_value(update))


def decode(raw: bytes | str) -> OrderUpdate:
    return from_json_value(OrderUpdate, json.loads(raw))


class RedisOrderFeed:
    """The `OrderFeed` port: one Redis subscription per process, fanned out to local queues; a
    client whose queue is full is sent None and dropped (it resumes from the log), never awaited.

    The subscription goes through the process's Redis circuit, and is proved alive by a PING
    every `ping_seconds` that must be answered within `pong_timeout_seconds`: a Redis that
    stops answering never closes the connection, and reading it only ever returns nothing.
    A missing PONG is a lost subscription: its clients are sent None, new ones are refused."""

    def __init__(
        self,
        redis: Redis,
        *,
        circuit: RedisCircuit,
        prefix: str,
        queue_size: int = 100,
        ping_seconds: float = 15.0,
        pong_timeout_seconds: float = 2.0,
    ) -> None:
        self._redis = redis
        self._circuit = circuit
        self._ping_seconds = ping_seconds
        self._pong_timeout = pong_timeout_seconds
        self._channel = channel(prefix)
        self._queue_size = queue_size
        self._queues: set[asyncio.Queue[OrderUpdate | None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._unreachable = asyncio.Event()  # the last attempt to subscribe failed

    @property
    def listeners(self) -> int:
        return len(self._queues)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator["asyncio.Queue[OrderUpdate | None]"]:
        await self._start()
        queue: asyncio.Queue[OrderUpdate | None] = asyncio.Queue(self._queue_size)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _start(self) -> None:
        """Return once subscribed; refuse at once while Redis cannot be reached (the listener
        keeps trying) or its circuit is open (every other use has stopped calling it), and
        after READY_TIMEOUT_SECONDS if it does not answer."""
        if await self._circuit.state() == "opened":
            raise LiveUpdatesUnavailable("live updates are unavailable (Redis)")
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name="order-feed")
        if not self._ready.is_set() and not self._unreachable.is_set():
            waiters = {
                asyncio.create_task(self._ready.wait()),
                asyncio.create_task(self._unreachable.wait()),
            }
            _, pending = await asyncio.wait(
                waiters, timeout=READY_TIMEOUT_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in pending:
                waiter.cancel()
        if not self._ready.is_set():
            raise LiveUpdatesUnavailable("live updates are unavailable (Redis)")

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    async with self._circuit.guard():
                        await pubsub.subscribe(self._channel)
                    await self._ping(pubsub)  # answered after the SUBSCRIBE: subscribed
                    self._unreachable.clear()
                    self._ready.set()
                    await self._receive(pubsub)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis went away: clients resume from the log later
                log.exception("order feed lost its Redis subscription; reconnecting")
                # Until subscribed again, new clients are refused at once in `subscribe`,
                # instead of listening to a channel nobody receives for them.
                self._ready.clear()
                self._unreachable.set()
                for queue in list(self._queues):
                    self._drop(queue)
                await asyncio.sleep(1.0)

    async def _receive(self, pubsub: PubSub) -> None:
        """Deliver what is published, with a PING every `ping_seconds`; raises when one goes
        unanswered."""
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self._ping_seconds
            while (remaining := due - loop.time()) > 0:
                self._handle(await pubsub.get_message(timeout=min(remaining, 1.0)))
            await self._ping(pubsub)

    async def _ping(self, pubsub: PubSub) -> None:
        """PING on the subscription, under the circuit, delivering what arrives before the
        PONG; TimeoutError (an outage, to the circuit) when it does not come in time."""
        async with self._circuit.guard(), asyncio.timeout(self._pong_timeout):
            await pubsub.ping(PING_MESSAGE)
            while True:  # ends at the PONG or at the timeout
                message = await pubsub.get_message(timeout=self._pong_timeout)
                if message is not None and message["type"] == "pong":
                    return
                self._handle(message)

    def _handle(self, message: dict[str, object] | None) -> None:
        if message is not None and message["type"] == "message":
            data = message["data"]
            if isinstance(data, bytes | str):
                self._deliver(data)

    def _deliver(self, raw: bytes | str) -> None:
        try:
            update = decode(raw)
        except (ValueError, KeyError, TypeError):
            log.warning("order feed ignored a malformed message")
            return
        for queue in list(self._queues):
            try:
                queue.put_nowait(update)
            except asyncio.QueueFull:
                self._drop(queue)

    def _drop(self, queue: "asyncio.Queue[OrderUpdate | None]") -> None:
        self._queues.discard(queue)
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(None)
