"""The composition root: builds adapters from settings and wires them into the handlers.
This is the only module that knows every layer; the handler registry below is the whole map."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.context_map import ordering_deps, payment_gateway, payment_provider
from agora.settings import Settings
from agora.worker import build_registry, running_worker
from api.services import ApiConfig, ApiServices, LiveConfig
from application.catalog import handlers as catalog
from application.catalog.commands import (
    AddProductImage,
    ArchiveProduct,
    ChangePrice,
    ChangeProductDetails,
    CreateCategory,
    CreateProduct,
    ImportProducts,
    MoveCategory,
    PublishProduct,
)
from application.catalog.handlers import CatalogDeps
from application.identity import account_handlers, api_keys, session_handlers
from application.identity.api_keys import ApiKeyDeps, CreateApiKey, RevokeApiKey
from application.identity.commands import (
    ChangePassword,
    CreateAdmin,
    DeactivateUser,
    GrantRole,
    LogIn,
    LogOut,
    ProvisionAccount,
    ReactivateUser,
    RefreshSession,
    RegisterUser,
    RevokeRole,
    UpdateProfile,
)
from application.identity.dependencies import IdentityDeps
from application.inventory import handlers as inventory
from application.inventory.commands import (
    AdjustStock,
    CommitReservations,
    ExpireReservations,
    KeepReservations,
    ReceiveStock,
    ReleaseReservations,
    ReserveStock,
)
from application.inventory.handlers import InventoryDeps
from application.notifications import webhooks
from application.notifications.webhooks import (
    DeactivateWebhook,
    RedeliverWebhook,
    RegisterWebhook,
    WebhookDeps,
)
from application.ordering import cart_handlers, order_handlers, payment_webhook
from application.ordering.commands import (
    CancelOrder,
    CheckOut,
    ClearCart,
    HandlePaymentWebhook,
    MarkDelivered,
    RefundOrder,
    RemoveCartLine,
    SetCartLine,
    ShipOrder,
)
from application.ordering.dependencies import OrderingDeps
from application.shared.bus import Command, CommandBus, Handler
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
from infrastructure.notifications.url_guard import NetworkUrlGuard
from infrastructure.notifications.webhooks import SqlWebhooks
from infrastructure.ordering.live import RedisOrderFeed, SqlOrderHistory
from infrastructure.ordering.reader import SqlCartReader, SqlOrderReader
from infrastructure.payments.resilient import PaymentProvider
from infrastructure.redis_client import build_redis
from infrastructure.reporting.reader import SqlSalesReports

VERSION = "0.1.0"


def identity_handlers(deps: IdentityDeps) -> dict[type[Command[Any]], Handler]:
    """Command type -> handler, for the identity context."""
    return {
        RegisterUser: partial(account_handlers.register_user, deps=deps),
        CreateAdmin: partial(account_handlers.create_admin, deps=deps),
        ProvisionAccount: partial(account_handlers.provision_account, deps=deps),
        UpdateProfile: partial(account_handlers.update_profile, deps=deps),
        ChangePassword: partial(account_handlers.change_password, deps=deps),
        GrantRole: partial(account_handlers.grant_role, deps=deps),
        RevokeRole: partial(account_handlers.revoke_role, deps=deps),
        DeactivateUser: partial(account_handlers.deactivate_user, deps=deps),
        ReactivateUser: partial(account_handlers.reactivate_user, deps=deps),
        LogIn: partial(session_handlers.log_in, deps=deps),
        RefreshSession: partial(session_handlers.refresh_session, deps=deps),
        LogOut: partial(session_handlers.log_out, deps=deps),
    }


def api_key_handlers(deps: ApiKeyDeps) -> dict[type[Command[Any]], Handler]:
    """Command type -> handler, for machine credentials (identity context)."""
    return {
        CreateApiKey: partial(api_keys.create_api_key, deps=deps),
        RevokeApiKey: partial(api_keys.revoke_api_key, deps=deps),
    }


def webhook_handlers(deps: WebhookDeps) -> dict[type[Command[Any]], Handler]:
    """Command type -> handler, for outbound webhooks (notifications context)."""
    return {
        RegisterWebhook: partial(webhooks.register_webhook, deps=deps),
        DeactivateWebhook: partial(webhooks.deactivate_webhook, deps=deps),
        RedeliverWebhook: partial(webhooks.redeliver_webhook, deps=deps),
    }


def inventory_handlers(deps: InventoryDeps) -> dict[type[Command[Any]], Handler]:
    """Command type -> handler, for the inventory context."""
    return {
        ReceiveStock: partial(inventory.receive_stock, deps=deps),
        AdjustStock: partial(inventory.adjust_stock, deps=deps),
        ReserveStock: partial(inventory.reserve_stock, deps=deps),
        ReleaseReservations: partial(inventory.release_reservations, deps=deps),
        CommitReservations: partial(inventory.commit_reservations, deps=deps),
        KeepReservations: partial(inventory.keep_reservations, deps=deps),
        ExpireReservations: partial(inventory.expire_reservations, deps=deps),
    }


def catalog_handlers(deps: CatalogDeps) -> dict[type[Command[Any]], Handler]:
    """Command type -> handler, for the catalog context."""
    return {
        CreateProduct: partial(catalog.create_product, deps=deps),
        ChangeProductDetails: partial(catalog.change_product_details, deps=deps),
        ChangePrice: partial(catalog.change_price, deps=deps),
        PublishProduct: partial(catalog.publish_product, deps=deps),
        ArchiveProduct: partial(catalog.archive_product, deps=deps),
        AddProductImage: partial(catalog.add_product_image, deps=deps),
        CreateCategory: partial(catalog.create_category, deps=deps),
        MoveCategory: partial(catalog.move_category, deps=deps),
        ImportProducts: partial(catalog.import_products, deps=deps),
    }


def ordering_handlers(deps: OrderingDeps) -> dict[type[Command[Any]], Handler]:
    """Command type -> handler, for the ordering context (cart, checkout, orders)."""
    return {
        SetCartLine: partial(cart_handlers.set_cart_line, deps=deps),
        RemoveCartLine: partial(cart_handlers.remove_cart_line, deps=deps),
        ClearCart: partial(cart_handlers.clear_cart, deps=deps),
        CheckOut: partial(order_handlers.check_out, deps=deps),
        CancelOrder: partial(order_handlers.cancel_order, deps=deps),
        ShipOrder: partial(order_handlers.ship_order, deps=deps),
        MarkDelivered: partial(order_handlers.mark_delivered, deps=deps),
        RefundOrder: partial(order_handlers.refund_order, deps=deps),
        HandlePaymentWebhook: partial(payment_webhook.handle_payment_webhook, deps=deps),
    }


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
    clock = clock or SystemClock()
    registry = build_registry()
    engine = build_engine(
        database_url,
        pool_size=settings.database.pool_size,
        max_overflow=settings.database.max_overflow,
        echo=settings.database.echo,
    )
    redis = build_redis(redis_url)
    deps = identity_deps(
        settings, engine=engine, redis_url=redis_url, registry=registry, clock=clock
    )
    stock = InventoryDeps(uow=partial(SqlInventoryUnitOfWork, engine, registry), clock=clock)
    images = LocalImageStore(settings.catalog.image_dir or settings.app.data_dir / "images")
    cache = product_cache(settings, redis) if settings.catalog.cache_enabled else None
    products = CatalogDeps(
        uow=partial(SqlCatalogUnitOfWork, engine, registry, cache),
        images=images,
        clock=clock,
        max_image_bytes=settings.catalog.max_image_bytes,
    )
    ordering = ordering_deps(
        settings,
        engine=engine,
        registry=registry,
        clock=clock,
        gateway=payment_gateway(settings, payments or payment_provider(settings)),
        stock=stock,
    )
    keys = SqlApiKeys(engine)
    hooks = WebhookDeps(
        webhooks=SqlWebhooks(engine),
        guard=NetworkUrlGuard(allow_http_localhost=settings.webhooks.allow_http_localhost),
        clock=clock,
        event_types=frozenset(t.name for t in registry.types()),
    )
    feed = RedisOrderFeed(
        redis,
        prefix=settings.redis.key_prefix,
        queue_size=settings.notifications.client_queue_size,
    )
    services = ApiServices(
        bus=CommandBus(
            identity_handlers(deps)
            | api_key_handlers(ApiKeyDeps(keys=keys, clock=clock))
            | inventory_handlers(stock)
            | catalog_handlers(products)
            | ordering_handlers(ordering)
            | webhook_handlers(hooks)
        ),
        orders=SqlOrderReader(engine),
        carts=SqlCartReader(engine),
        order_history=SqlOrderHistory(engine, registry),
        order_feed=feed,
        api_keys=keys,
        reports=SqlSalesReports(engine),
        webhooks=hooks.webhooks,
        live=LiveConfig(
            heartbeat_seconds=settings.notifications.heartbeat_seconds,
            websocket_auth_seconds=settings.notifications.websocket_auth_seconds,
        ),
        catalog=SqlCatalogReader(engine)
        if cache is None
        else CachedCatalogReader(SqlCatalogReader(engine), cache),
        images=images,
        users=SqlUserDirectory(engine),
        stock=SqlStockReader(engine),
        tokens=deps.tokens,
        clock=clock,
        readiness=DependencyProbes(engine=engine, redis=redis),
    )
    try:
        if with_worker:
            async with running_worker(
                settings,
                engine=engine,
                database_url=database_url,
                registry=registry,
                ordering=ordering,
                cache=cache,
                redis=redis,
            ):
                yield services
        else:
            yield services
    finally:
        await feed.close()
        await redis.aclose()
        await engine.dispose()
