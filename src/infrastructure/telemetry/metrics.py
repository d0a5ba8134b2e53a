"""Prometheus metrics of one process, served on a port of its own (`METRICS_PORT`).

The counters live in prometheus-client's process-wide registry, as loggers live in logging's:
declaring one registers nothing anywhere else and costs an increment when used. What is read
rather than counted (the pool, the subscribers' positions) is a collector that asks when
Prometheus scrapes, so it costs nothing between scrapes. Each process serves its own numbers
(an API replica, a worker): Prometheus adds them up (ADR 0026)."""

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from prometheus_client import REGISTRY, Counter, Enum, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

EVENTS_COMMITTED = Counter(
    "agora_events_committed",
    "Domain events committed to the log, by type (OrderPlaced, OrderPaid, OrderStockRejected, "
    "RefundIssued, ... : the shop's business counters).",
    ["type"],
)
PAYMENT_CALLS = Histogram(
    "agora_payment_provider_seconds",
    "Time of one attempt at a call to the payment provider, by operation and outcome.",
    ["operation", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
PAYMENT_CIRCUIT = Enum(
    "agora_payment_circuit",
    "State of the circuit breaker around the payment provider, as this process last saw it.",
    states=["closed", "half-opened", "opened"],
)


def count_committed(event_types: Iterable[str]) -> None:
    """After a commit: one more of each event type it appended."""
    for event_type in event_types:
        EVENTS_COMMITTED.labels(event_type).inc()


class PoolCollector:
    """Connections of this process's SQLAlchemy pool, read at scrape time."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._pool: Any = engine.sync_engine.pool

    def collect(self) -> Iterable[Metric]:
        size = GaugeMetricFamily("agora_db_pool_size", "Connections the pool keeps open.")
        size.add_metric([], self._pool.size())
        used = GaugeMetricFamily(
            "agora_db_pool_checked_out", "Connections in use by a request or task now."
        )
        used.add_metric([], self._pool.checkedout())
        overflow = GaugeMetricFamily(
            "agora_db_pool_overflow", "Connections open beyond the pool size (negative: unused)."
        )
        overflow.add_metric([], self._pool.overflow())
        return [size, used, overflow]


class SubscriptionCollector:
    """Each subscriber's position, backlog, lag and dead letters (the relay's lag among them),
    asked of PostgreSQL when Prometheus scrapes, on the process's own event loop."""

    def __init__(
        self,
        statuses: Callable[[], Any],
        *,
        loop: asyncio.AbstractEventLoop,
        timeout_seconds: float = 5.0,
    ) -> None:
        self._statuses = statuses
        self._loop = loop
        self._timeout = timeout_seconds

    def collect(self) -> Iterable[Metric]:
        try:
            rows: Sequence[Any] = asyncio.run_coroutine_threadsafe(
                self._statuses(), self._loop
            ).result(self._timeout)
        except Exception:
            log.warning("subscriber metrics could not be read", exc_info=True)
            return []
        families = {
            field: GaugeMetricFamily(name, text, labels=["subscriber"])
            for field, name, text in (
                ("position", "agora_subscriber_position", "Log position of its checkpoint."),
                ("pending", "agora_subscriber_pending_events", "Events it has still to handle."),
                ("lag_seconds", "agora_subscriber_lag_seconds", "Age of the oldest of them."),
                ("dead_letters", "agora_subscriber_dead_letters", "Events it parked."),
            )
        }
        running = GaugeMetricFamily(
            "agora_subscriber_running", "1 while it runs, 0 once stopped.", labels=["subscriber"]
        )
        for row in rows:
            for field, family in families.items():
                family.add_metric([row.name], float(getattr(row, field)))
            running.add_metric([row.name], 1.0 if row.status == "running" else 0.0)
        return [*families.values(), running]


def register(collector: Collector) -> Callable[[], None]:
    """Add a collector to the process's registry; returns what removes it."""
    REGISTRY.register(collector)
    return lambda: REGISTRY.unregister(collector)


def serve_metrics(*, host: str, port: int) -> Callable[[], None]:
    """`/metrics` of this process on `host:port`, in a thread; returns what stops it. A port
    another process holds (several server processes given one METRICS_PORT) is logged, not
    fatal: the process serves its requests, only its numbers go unserved."""
    try:
        server, thread = start_http_server(port, addr=host)
    except OSError as exc:
        log.error(
            "metrics port unavailable; this process serves no metrics",
            extra={"metrics_port": port, "error": exc.strerror},
        )
        return lambda: None
    log.info("metrics served", extra={"metrics_url": f"http://{host}:{port}/metrics"})

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(5)

    return stop
