"""The worker's periodic jobs, each a loop that runs until told to stop and outlives any one
failure: expired stock reservations, unpaid orders and old idempotency keys, the sales views,
due webhooks, and keeping the warehouse's Kafka consumer running."""

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from functools import partial
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.settings import Settings
from application.inventory.commands import ExpireReservations
from application.inventory.handlers import InventoryDeps, expire_reservations
from application.ordering.commands import CancelUnpaidOrders
from application.ordering.dependencies import OrderingDeps
from application.ordering.process import cancel_unpaid_orders
from application.shared.clock import SystemClock
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.inventory.unit_of_work import SqlInventoryUnitOfWork
from infrastructure.kafka.consumer import KafkaConsumerRunner
from infrastructure.notifications.url_guard import NetworkUrlGuard
from infrastructure.notifications.webhooks import SenderConfig, WebhookSender
from infrastructure.ordering.reader import SqlOrderReader
from infrastructure.ordering.repositories import forget_expired_keys
from infrastructure.ordering.warehouse import WarehouseShipments
from infrastructure.reporting.reader import refresh_sales_views

log = logging.getLogger("agora.worker")


def periodic_jobs(
    settings: Settings,
    *,
    engine: AsyncEngine,
    registry: EventRegistry,
    ordering: OrderingDeps,
    http: httpx.AsyncClient,
    stop: asyncio.Event,
) -> dict[str, Coroutine[Any, Any, None]]:
    """Name -> loop, for every job the worker runs besides the log subscribers."""
    inventory = InventoryDeps(
        uow=partial(SqlInventoryUnitOfWork, engine, registry), clock=SystemClock()
    )
    jobs = {
        "reservation-sweep": sweep_reservations(
            inventory, every=settings.worker.reservation_sweep_seconds, stop=stop
        ),
        "order-sweep": sweep_orders(
            ordering,
            SqlOrderReader(engine),
            engine=engine,
            every=settings.ordering.sweep_seconds,
            stop=stop,
        ),
        "reports-refresh": refresh_reports(
            engine, every=settings.reports.refresh_seconds, stop=stop
        ),
        "webhook-sender": send_webhooks(
            webhook_sender(settings, engine=engine, http=http),
            every=settings.webhooks.poll_seconds,
            stop=stop,
        ),
    }
    if settings.kafka.bootstrap_servers:
        shipments = KafkaConsumerRunner(
            name=f"{settings.kafka.client_id}-warehouse-shipments",
            topic=settings.kafka.warehouse_topic,
            bootstrap_servers=settings.kafka.bootstrap_servers,
            engine=engine,
            handler=WarehouseShipments(ordering, registry),
        )
        jobs["consumer:warehouse"] = keep_consuming(shipments, stop)
    return jobs


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


def webhook_sender(
    settings: Settings, *, engine: AsyncEngine, http: httpx.AsyncClient
) -> WebhookSender:
    w = settings.webhooks
    return WebhookSender(
        engine,
        http=http,
        guard=NetworkUrlGuard(allow_http_localhost=w.allow_http_localhost),
        clock=SystemClock(),
        config=SenderConfig(
            max_attempts=w.max_attempts,
            backoff_seconds=w.backoff_seconds,
            timeout_seconds=w.timeout_seconds,
        ),
    )


async def send_webhooks(sender: WebhookSender, *, every: float, stop: asyncio.Event) -> None:
    """Deliver what is due, batch after batch, then wait a moment; safe in every worker."""
    while not stop.is_set():
        try:
            while not stop.is_set() and await sender.send_due():
                pass
        except Exception:  # a database outage: try again at the next round
            log.exception("webhook sender failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def refresh_reports(engine: AsyncEngine, *, every: float, stop: asyncio.Event) -> None:
    """Refresh the sales views now and then; one worker at a time, readers never blocked."""
    while not stop.is_set():
        try:
            await refresh_sales_views(engine)
        except Exception:  # a database outage: try again at the next round
            log.exception("sales views refresh failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
