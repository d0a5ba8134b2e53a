"""The worker: every subscriber of the event log (projections, the fulfilment process, live
order updates, the Kafka relay), the warehouse's Kafka consumer, and the periodic sweeps
(expired stock reservations, unpaid orders, old idempotency keys, the sales views).

`agora worker` runs it as its own process; `agora serve --with-worker` (what `make run` does)
runs it inside the API process. However many copies run, each subscriber is active in one."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.periodic import periodic_jobs
from agora.settings import Settings
from application.ordering.dependencies import OrderingDeps
from application.ordering.process import FulfillmentProcess
from infrastructure.catalog.cache import CatalogCacheInvalidator, ProductCache
from infrastructure.catalog.event_types import register_catalog_events
from infrastructure.db.engine import asyncpg_dsn
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.subscriptions import (
    Projection,
    RunnerConfig,
    Subscriber,
    SubscriptionRunner,
)
from infrastructure.identity.account_history import AccountHistoryProjection
from infrastructure.identity.event_types import register_identity_events
from infrastructure.inventory.event_types import register_inventory_events
from infrastructure.kafka.relay import KafkaRelay
from infrastructure.notifications.webhooks import (
    WebhookDispatcher,
    shared_http_client,
)
from infrastructure.ordering.event_types import register_ordering_events
from infrastructure.ordering.fulfillment import FulfillmentSubscriber
from infrastructure.ordering.live import OrderUpdatesPublisher
from infrastructure.ordering.projection import OrderProjection

log = logging.getLogger("agora.worker")


def build_registry() -> EventRegistry:
    """Every event type of every context, registered once."""
    registry = EventRegistry()
    register_identity_events(registry)
    register_inventory_events(registry)
    register_catalog_events(registry)
    register_ordering_events(registry)
    return registry


def projections(registry: EventRegistry) -> list[Projection]:
    return [AccountHistoryProjection(registry), OrderProjection(registry)]


def subscribers(
    settings: Settings,
    registry: EventRegistry,
    *,
    ordering: OrderingDeps,
    cache: ProductCache | None = None,
    redis: Redis | None = None,
) -> list[Subscriber]:
    found: list[Subscriber] = list(projections(registry))
    found.append(FulfillmentSubscriber(FulfillmentProcess(ordering), registry))
    found.append(WebhookDispatcher())
    if redis is not None:
        found.append(OrderUpdatesPublisher(redis, registry, prefix=settings.redis.key_prefix))
    if cache is not None:
        found.append(CatalogCacheInvalidator(cache))
    if settings.kafka.bootstrap_servers:
        found.append(
            KafkaRelay(
                bootstrap_servers=settings.kafka.bootstrap_servers,
                registry=registry,
                client_id=f"{settings.kafka.client_id}-relay",
                topic_prefix=settings.kafka.topic_prefix,
            )
        )
    else:
        log.info("KAFKA_BOOTSTRAP_SERVERS is unset: the Kafka relay is off; events wait in the log")
    return found


def runner_config(settings: Settings) -> RunnerConfig:
    return RunnerConfig(
        batch_size=settings.worker.batch_size,
        poll_interval=settings.worker.poll_interval_seconds,
        max_attempts=settings.worker.max_attempts,
    )


@dataclass(frozen=True)
class RunningWorker:
    """The runners of one worker and their tasks."""

    runners: list[SubscriptionRunner]
    tasks: list["asyncio.Task[None]"]

    def alive(self) -> bool:
        """False once any runner has ended: the health check must then fail."""
        return all(not task.done() for task in self.tasks)


@asynccontextmanager
async def running_worker(
    settings: Settings,
    *,
    engine: AsyncEngine,
    database_url: str,
    registry: EventRegistry,
    ordering: OrderingDeps,
    cache: ProductCache | None = None,
    redis: Redis | None = None,
) -> AsyncIterator[RunningWorker]:
    """Start every runner in the background; stop them all on exit."""
    stop = asyncio.Event()
    runners = [
        SubscriptionRunner(
            subscriber,
            engine=engine,
            dsn=asyncpg_dsn(database_url),
            config=runner_config(settings),
        )
        for subscriber in subscribers(
            settings, registry, ordering=ordering, cache=cache, redis=redis
        )
    ]
    tasks = [asyncio.create_task(r.run(stop), name=f"subscriber:{r.name}") for r in runners]
    http = shared_http_client(timeout_seconds=settings.webhooks.timeout_seconds)
    jobs = periodic_jobs(
        settings, engine=engine, registry=registry, ordering=ordering, http=http, stop=stop
    )
    tasks += [asyncio.create_task(job, name=name) for name, job in jobs.items()]
    for task in tasks:
        task.add_done_callback(partial(_report_exit, stop))
    try:
        yield RunningWorker(runners=runners, tasks=tasks)
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await http.aclose()
        for runner in runners:
            close = getattr(runner.subscriber, "close", None)  # the relay owns a producer
            if close is not None:
                await close()


def _report_exit(stop: asyncio.Event, task: "asyncio.Task[None]") -> None:
    """Runners end only when told to; anything else is a bug worth a loud log line."""
    if stop.is_set() or task.cancelled():
        return
    log.error(
        "subscriber runner ended unexpectedly",
        extra={"task": task.get_name(), "error": repr(task.exception())},
    )
