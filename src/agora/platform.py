"""What every context's wiring (`agora.contexts`) is built from: the process's settings, pools,
clients, the bus and the one clock; and what it hands back to the worker."""

from contextlib import AsyncExitStack
from dataclasses import dataclass, field

import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.settings import Settings
from application.shared.bus import Command, CommandBus
from application.shared.clock import Clock
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.subscribers import Subscriber
from infrastructure.kafka.consumer import KafkaConsumerRunner
from infrastructure.payments.gateway import PaymentProvider
from infrastructure.redis.client import RedisCircuit
from infrastructure.telemetry.tracing import Tracing


@dataclass(frozen=True, kw_only=True)
class Platform:
    """Shared by every context of one process. `redis` is None in a worker started without
    REDIS_URL; every use of Redis goes through the one `redis_circuit` but the readiness probe
    (which asks Redis itself, so that an outage is seen); `payments` replaces the
    simulated provider (tests pass one they can inspect); `resources` closes what a context
    opened, when the process stops; `tracing` is None unless traces are exported."""

    settings: Settings
    engine: AsyncEngine
    registry: EventRegistry
    bus: CommandBus
    clock: Clock
    http: httpx.AsyncClient
    redis: Redis | None
    redis_url: str | None
    redis_circuit: RedisCircuit
    resources: AsyncExitStack
    payments: PaymentProvider | None = None
    tracing: Tracing | None = None


@dataclass(frozen=True)
class Job:
    """A command the worker sends every `every` seconds; every such handler is safe in several
    workers at once. With `until_idle`, it is sent again at once while it reports work done."""

    name: str
    every: float
    command: Command[int]
    until_idle: bool = True


@dataclass(frozen=True, kw_only=True)
class Wiring:
    """What the worker runs for one context."""

    subscribers: list[Subscriber] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    consumers: list[KafkaConsumerRunner] = field(default_factory=list)
