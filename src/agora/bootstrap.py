"""The composition root: opens the process's pools and clients, registers every context's event
types, wires every context (`agora.contexts`) and hands the API its services. With the
wiring modules and the worker, the only place that knows every layer."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from agora.contexts import (
    CONTEXTS,
    catalog,
    gift_cards,
    identity,
    inventory,
    notifications,
    ordering,
    promotions,
    reporting,
    shipping,
    taxes,
)
from agora.platform import Platform, Wiring
from agora.seed import demo_notice
from agora.settings import Settings
from agora.worker import running_worker
from api.services import ApiConfig, ApiServices, LiveConfig
from application.shared.bus import Around, CommandBus
from application.shared.clock import Clock, SystemClock
from infrastructure.catalog.upcasters import register_upcasters as register_catalog_upcasters
from infrastructure.db.engine import build_engine
from infrastructure.db.statements import StatementScopeMiddleware, command_scope
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.health import DependencyProbes
from infrastructure.http.client import shared_http_client
from infrastructure.inventory.upcasters import register_upcasters as register_inventory_upcasters
from infrastructure.ordering.upcasters import register_upcasters as register_ordering_upcasters
from infrastructure.payments.gateway import PaymentProvider
from infrastructure.redis.client import RedisCircuit, build_redis
from infrastructure.telemetry.metrics import PoolCollector, register, serve_metrics
from infrastructure.telemetry.tracing import Tracing, command_span

VERSION = "0.1.0"


def build_registry() -> EventRegistry:
    registry = EventRegistry()
    for context in CONTEXTS:
        registry.register_all(context.EVENTS, context=context.NAME)
    register_catalog_upcasters(registry)
    register_ordering_upcasters(registry)
    register_inventory_upcasters(registry)
    return registry


@asynccontextmanager
async def platform(
    settings: Settings,
    *,
    database_url: str,
    redis_url: str | None,
    clock: Clock | None = None,
    payments: PaymentProvider | None = None,
    tracing: Tracing | None = None,
    with_metrics: bool = False,
) -> AsyncIterator[Platform]:
    """The process's shared resources, closed (with whatever the contexts opened) on exit.
    With `tracing`, SQL, Redis, Kafka sends and every command are spans; `with_metrics` (the
    server and the worker, not one-shot commands) serves `/metrics` on METRICS_PORT if set."""
    async with AsyncExitStack() as resources:
        engine = build_engine(
            database_url,
            pool_size=settings.database.pool_size,
            max_overflow=settings.database.max_overflow,
            echo=settings.database.echo,
            slow_statement_ms=settings.database.slow_statement_ms,
        )
        resources.push_async_callback(engine.dispose)
        around: list[Around] = [command_scope]
        if tracing is not None:
            tracing.instrument_engine(engine)
            tracing.instrument_clients()
            resources.callback(tracing.close)
            around.append(command_span(tracing.tracer))
        if with_metrics and (metrics_port := settings.metrics.port) is not None:
            resources.callback(register(PoolCollector(engine)))
            resources.callback(serve_metrics(host=settings.metrics.host, port=metrics_port))
        redis = None
        if redis_url is not None:
            redis = build_redis(redis_url, timeout_seconds=settings.redis.timeout_seconds)
            resources.push_async_callback(redis.aclose)
        http = shared_http_client(timeout_seconds=settings.webhooks.timeout_seconds)
        resources.push_async_callback(http.aclose)
        yield Platform(
            settings=settings,
            engine=engine,
            registry=build_registry(),
            bus=CommandBus(around=around),
            clock=clock or SystemClock(),
            http=http,
            redis=redis,
            redis_url=redis_url,
            redis_circuit=RedisCircuit(
                threshold=settings.redis.circuit_threshold,
                reset_seconds=settings.redis.circuit_reset_seconds,
            ),
            resources=resources,
            payments=payments,
            tracing=tracing,
        )


def wire_all(p: Platform) -> list[Wiring]:
    """Every context's handlers on the bus; what the worker runs for each."""
    return [context.wire(p) for context in CONTEXTS]


def api_config(settings: Settings) -> ApiConfig:
    return ApiConfig(
        max_body_bytes=settings.http.max_body_bytes,
        max_header_bytes=settings.http.max_header_bytes,
        upload_max_bytes=settings.catalog.upload_max_bytes,
        hsts=settings.app.env == "production",
        version=VERSION,
        docs_notice=demo_notice() if settings.app.demo else "",
        statement_scope=StatementScopeMiddleware,
        metrics=settings.metrics.port is not None,
        tracing=bool(settings.tracing.exporter_otlp_endpoint),
    )


@asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    database_url: str,
    redis_url: str,
    clock: Clock | None = None,
    with_worker: bool = False,
    payments: PaymentProvider | None = None,
    tracing: Tracing | None = None,
    with_metrics: bool = False,
) -> AsyncIterator[ApiServices]:
    """Open pools and clients, hand out the wired services, close everything on exit.
    `with_worker` also runs the worker (log subscribers, jobs, consumers) in this process;
    `with_metrics` serves its `/metrics` when METRICS_PORT is set."""
    async with platform(
        settings,
        database_url=database_url,
        redis_url=redis_url,
        clock=clock,
        payments=payments,
        tracing=tracing,
        with_metrics=with_metrics,
    ) as p:
        wirings = wire_all(p)
        assert p.redis is not None
        services = ApiServices(
            bus=p.bus,
            identity=identity.queries(p),
            catalog=catalog.queries(p),
            inventory=inventory.queries(p),
            ordering=ordering.queries(p),
            notifications=notifications.queries(p),
            reporting=reporting.queries(p),
            taxes=taxes.queries(p),
            shipping=shipping.queries(p),
            promotions=promotions.queries(p),
            gift_cards=gift_cards.queries(p),
            readiness=DependencyProbes(engine=p.engine, redis=p.redis),
            live=LiveConfig(
                heartbeat_seconds=settings.notifications.heartbeat_seconds,
                websocket_auth_seconds=settings.notifications.websocket_auth_seconds,
            ),
        )
        if not with_worker:
            yield services
            return
        async with running_worker(p, wirings):
            yield services
