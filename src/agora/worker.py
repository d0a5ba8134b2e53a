"""The worker: every subscriber of the event log (projections, the fulfilment process, live
order updates, the Kafka relay), the warehouse's Kafka consumer, and the periodic sweeps
(expired stock reservations, unpaid orders, old idempotency keys, the sales views).

`agora worker` runs it as its own process; `agora serve --with-worker` (what `make run` does)
runs it inside the API process. However many copies run, each subscriber is active in one."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.settings import Settings
from application.inventory.commands import ExpireReservations
from application.inventory.handlers import InventoryDeps, expire_reservations
from application.ordering.commands import CancelUnpaidOrders
from application.ordering.dependencies import OrderingDeps
from application.ordering.process import FulfillmentProcess, cancel_unpaid_orders
from application.shared.clock import SystemClock
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
from infrastructure.inventory.unit_of_work import SqlInventoryUnitOfWork
from infrastructure.kafka.consumer import KafkaConsumerRunner
from infrastructure.kafka.relay import KafkaRelay
from infrastructure.ordering.event_types import register_ordering_events
from infrastructure.ordering.fulfillment import FulfillmentSubscriber
from infrastructure.ordering.live import OrderUpdatesPublisher
from infrastructure.ordering.projection import OrderProjection
from infrastructure.ordering.reader import SqlOrderReader
from infrastructure.ordering.repositories import forget_expired_keys
from infrastructure.ordering.warehouse import WarehouseShipments
from infrastructure.reporting.reader import refresh_sales_views

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
    if settings.kafka.bootstrap_servers:
        shipments = KafkaConsumerRunner(
            name=f"{settings.kafka.client_id}-warehouse-shipments",
            topic=settings.kafka.warehouse_topic,
            bootstrap_servers=settings.kafka.bootstrap_servers,
            engine=engine,
            handler=WarehouseShipments(ordering),
        )
        tasks.append(
            asyncio.create_task(keep_consuming(shipments, stop), name="consumer:warehouse")
        )
    inventory = InventoryDeps(
        uow=partial(SqlInventoryUnitOfWork, engine, registry), clock=SystemClock()
    )
    tasks.append(
        asyncio.create_task(
            sweep_reservations(
                inventory, every=settings.worker.reservation_sweep_seconds, stop=stop
            ),
            name="reservation-sweep",
        )
    )
    tasks.append(
        asyncio.create_task(
            sweep_orders(
                ordering,
                SqlOrderReader(engine),
                engine=engine,
                every=settings.ordering.sweep_seconds,
                stop=stop,
            ),
            name="order-sweep",
        )
    )
    tasks.append(
        asyncio.create_task(
            refresh_reports(engine, every=settings.reports.refresh_seconds, stop=stop),
            name="reports-refresh",
        )
    )
    for task in tasks:
        task.add_done_callback(partial(_report_exit, stop))
    try:
        yield RunningWorker(runners=runners, tasks=tasks)
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        for runner in runners:
            close = getattr(runner.subscriber, "close", None)  # the relay owns a producer
            if close is not None:
                await close()


async def sweep_reservations(deps: InventoryDeps, *, every: float, stop: asyncio.Event) -> None:
    """Release expired stock reservations. Safe in every worker at once: each sweep claims
    disjoint rows (SKIP LOCKED)."""
    while not stop.is_set():
        try:
            while await expire_reservations(ExpireReservations(batch=500), deps=deps) == 500:
                pass
        except Exception:  # a database outage: try again at the next sweep
            log.exception("reservation sweep failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def sweep_orders(
    deps: OrderingDeps,
    reader: SqlOrderReader,
    *,
    engine: AsyncEngine,
    every: float,
    stop: asyncio.Event,
) -> None:
    """Cancel orders left unpaid past the payment timeout, and forget expired idempotency keys.
    Safe in several workers at once: cancelling an order twice is a no-op."""
    while not stop.is_set():
        try:
            batch = CancelUnpaidOrders(batch=100)
            while not stop.is_set():
                if await cancel_unpaid_orders(batch, deps=deps, reader=reader) < batch.batch:
                    break
            async with engine.begin() as conn:
                await forget_expired_keys(conn, now=deps.clock.now())
        except Exception:  # a database outage: try again at the next sweep
            log.exception("order sweep failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def keep_consuming(consumer: KafkaConsumerRunner, stop: asyncio.Event) -> None:
    """Run a consumer until stopped; a broker that is down (at start or later) is waited out,
    so Kafka being away never takes the rest of the worker with it."""
    failures = 0
    while not stop.is_set():
        try:
            await consumer.run(stop)
        except Exception:
            failures += 1
            log.exception("consumer failed; restarting", extra={"consumer": consumer.name})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), min(30.0, 0.5 * 2.0 ** min(failures, 6)))


async def refresh_reports(engine: AsyncEngine, *, every: float, stop: asyncio.Event) -> None:
    """Refresh the sales views now and then; one worker at a time, readers never blocked."""
    while not stop.is_set():
        try:
            await refresh_sales_views(engine)
        except Exception:  # a database outage: try again at the next round
            log.exception("sales views refresh failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


def _report_exit(stop: asyncio.Event, task: "asyncio.Task[None]") -> None:
    """Runners end only when told to; anything else is a bug worth a loud log line."""
    if stop.is_set() or task.cancelled():
        return
    log.error(
        "subscriber runner ended unexpectedly",
        extra={"task": task.get_name(), "error": repr(task.exception())},
    )
