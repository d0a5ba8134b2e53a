"""The composition root: builds adapters from settings and wires them into the handlers
(`agora/handlers.py` holds the registry of command to handler). With `handlers.py`,
`context_map.py` and `worker.py`, the only place that knows every layer."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.context_map import ordering_deps, payment_gateway, payment_provider
from agora.handlers import (
    api_key_handlers,
    catalog_handlers,
    identity_handlers,
    inventory_handlers,
    ordering_handlers,
    webhook_handlers,
)
from agora.settings import Settings
from agora.worker import build_registry, running_worker
from api.services import ApiConfig, ApiServices, LiveConfig
from application.catalog.handlers import CatalogDeps
from application.identity.api_keys import ApiKeyDeps
from application.identity.dependencies import IdentityDeps
from application.inventory.handlers import InventoryDeps
from application.notifications.webhooks import (
    WebhookDeps,
)
from application.ordering.dependencies import OrderingDeps
from application.shared.bus import CommandBus
from application.shared.clock import Clock, SystemClock
from infrastructure.catalog.cache import CachedCatalogReader, ProductCache
from infrastructure.catalog.image_store import LocalImageStore
from infrastructure.catalog.reader import SqlCatalogReader
from infrastructure.catalog.unit_of_work import SqlCatalogUnitOfWork
from infrastructure.db.engine import build_engine
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.health import DependencyProbes
from infrastructure.identity.access_tokens import JwtAccessTokens
from infrastructure.identity.api_keys import SqlApiKeys
from infrastructure.identity.directory import SqlUserDirectory
from infrastructure.identity.login_throttle import RedisLoginThrottle, limits_storage
from infrastructure.identity.passwords import Argon2PasswordHasher
from infrastructure.identity.unit_of_work import SqlIdentityUnitOfWork
from infrastructure.inventory.reader import SqlStockReader
from infrastructure.inventory.unit_of_work import SqlInventoryUnitOfWork
from infrastructure.notifications.repository import SqlWebhooks
from infrastructure.notifications.url_guard import NetworkUrlGuard
from infrastructure.ordering.live import RedisOrderFeed, SqlOrderHistory
from infrastructure.ordering.reader import SqlCartReader, SqlOrderReader
from infrastructure.payments.resilient import PaymentProvider
from infrastructure.redis_client import build_redis
from infrastructure.reporting.reader import SqlSalesReports

VERSION = "0.1.0"


def worker_ordering_deps(
    settings: Settings, *, engine: AsyncEngine, registry: EventRegistry
) -> OrderingDeps:
    """Ordering's adapters for a worker running in its own process."""
    clock = SystemClock()
    return ordering_deps(
        settings,
        engine=engine,
        registry=registry,
        clock=clock,
        gateway=payment_gateway(settings, payment_provider(settings)),
        stock=InventoryDeps(uow=partial(SqlInventoryUnitOfWork, engine, registry), clock=clock),
    )


def product_cache(settings: Settings, redis: Redis) -> ProductCache:
    return ProductCache(
        redis, prefix=settings.redis.key_prefix, ttl_seconds=settings.catalog.cache_ttl_seconds
    )


def api_config(settings: Settings) -> ApiConfig:
    return ApiConfig(
        max_body_bytes=settings.http.max_body_bytes,
        upload_max_bytes=settings.catalog.upload_max_bytes,
        hsts=settings.app.env == "production",
        version=VERSION,
    )


def identity_deps(
    settings: Settings,
    *,
    engine: AsyncEngine,
    redis_url: str,
    registry: EventRegistry,
    clock: Clock,
) -> IdentityDeps:
    """The identity context's adapters, built from its settings."""
    auth = settings.auth
    return IdentityDeps(
        uow=partial(SqlIdentityUnitOfWork, engine, registry),
        hasher=Argon2PasswordHasher(
            memory_kib=auth.argon2_memory_kib, time_cost=auth.argon2_time_cost
        ),
        tokens=JwtAccessTokens(
            secret=auth.jwt_secret.get_secret_value(),
            issuer=auth.jwt_issuer,
            audience=auth.jwt_audience,
            lifetime=timedelta(seconds=auth.access_token_ttl_seconds),
        ),
        throttle=RedisLoginThrottle(
            storage=limits_storage(redis_url, key_prefix=f"{settings.redis.key_prefix}:limits"),
            per_ip=auth.login_limit_per_ip,
            per_account=auth.login_limit_per_account,
        ),
        clock=clock,
        session_lifetime=timedelta(days=auth.session_ttl_days),
    )


@dataclass(frozen=True, kw_only=True)
class Wiring:
    """Every context's adapters, as one process uses them."""

    identity: IdentityDeps
    api_keys: ApiKeyDeps
    stock: InventoryDeps
    catalog: CatalogDeps
    ordering: OrderingDeps
    webhooks: WebhookDeps
    cache: ProductCache | None


def wire(
    settings: Settings,
    *,
    engine: AsyncEngine,
    redis: Redis,
    redis_url: str,
    registry: EventRegistry,
    clock: Clock,
    payments: PaymentProvider | None,
) -> Wiring:
    """Build each context's adapters from its settings."""
    stock = InventoryDeps(uow=partial(SqlInventoryUnitOfWork, engine, registry), clock=clock)
    cache = product_cache(settings, redis) if settings.catalog.cache_enabled else None
    return Wiring(
        identity=identity_deps(
            settings, engine=engine, redis_url=redis_url, registry=registry, clock=clock
        ),
        api_keys=ApiKeyDeps(keys=SqlApiKeys(engine), clock=clock),
        stock=stock,
        catalog=CatalogDeps(
            uow=partial(SqlCatalogUnitOfWork, engine, registry, cache),
            images=LocalImageStore(settings.catalog.image_dir or settings.app.data_dir / "images"),
            clock=clock,
            max_image_bytes=settings.catalog.max_image_bytes,
        ),
        ordering=ordering_deps(
            settings,
            engine=engine,
            registry=registry,
            clock=clock,
            gateway=payment_gateway(settings, payments or payment_provider(settings)),
            stock=stock,
        ),
        webhooks=WebhookDeps(
            webhooks=SqlWebhooks(engine),
            guard=NetworkUrlGuard(allow_http_localhost=settings.webhooks.allow_http_localhost),
            clock=clock,
            event_types=frozenset(t.name for t in registry.types()),
        ),
        cache=cache,
    )


def api_services(
    settings: Settings,
    wiring: Wiring,
    *,
    engine: AsyncEngine,
    redis: Redis,
    registry: EventRegistry,
    feed: RedisOrderFeed,
) -> ApiServices:
    """The bus with every handler, and the read ports the routes query."""
    w = wiring
    catalog = SqlCatalogReader(engine)
    return ApiServices(
        bus=CommandBus(
            identity_handlers(w.identity)
            | api_key_handlers(w.api_keys)
            | inventory_handlers(w.stock)
            | catalog_handlers(w.catalog)
            | ordering_handlers(w.ordering)
            | webhook_handlers(w.webhooks)
        ),
        orders=SqlOrderReader(engine),
        carts=SqlCartReader(engine),
        order_history=SqlOrderHistory(engine, registry),
        order_feed=feed,
        api_keys=w.api_keys.keys,
        reports=SqlSalesReports(engine),
        webhooks=w.webhooks.webhooks,
        live=LiveConfig(
            heartbeat_seconds=settings.notifications.heartbeat_seconds,
            websocket_auth_seconds=settings.notifications.websocket_auth_seconds,
        ),
        catalog=catalog if w.cache is None else CachedCatalogReader(catalog, w.cache),
        images=w.catalog.images,
        users=SqlUserDirectory(engine),
        stock=SqlStockReader(engine),
        tokens=w.identity.tokens,
        clock=w.identity.clock,
        readiness=DependencyProbes(engine=engine, redis=redis),
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
) -> AsyncIterator[ApiServices]:
    """Open pools and clients, hand out the wired services, close everything on exit.
    `with_worker` also runs the event-log subscribers in this process; `payments` replaces the
    simulated provider (tests pass one they can inspect)."""
    registry = build_registry()
    engine = build_engine(
        database_url,
        pool_size=settings.database.pool_size,
        max_overflow=settings.database.max_overflow,
        echo=settings.database.echo,
    )
    redis = build_redis(redis_url)
    wiring = wire(
        settings,
        engine=engine,
        redis=redis,
        redis_url=redis_url,
        registry=registry,
        clock=clock or SystemClock(),
        payments=payments,
    )
    feed = RedisOrderFeed(
        redis, prefix=settings.redis.key_prefix, queue_size=settings.notifications.client_queue_size
    )
    services = api_services(
        settings, wiring, engine=engine, redis=redis, registry=registry, feed=feed
    )
    try:
        if with_worker:
            async with running_worker(
                settings,
                engine=engine,
                database_url=database_url,
                registry=registry,
                ordering=wiring.ordering,
                cache=wiring.cache,
                redis=redis,
            ):
                yield services
        else:
            yield services
    finally:
        await feed.close()
        await redis.aclose()
        await engine.dispose()
