"""The FastAPI application factory. Nothing is built at import time: the composition root calls
`create_app` with a factory of services that the lifespan opens and closes."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from starlette.middleware import Middleware

from api import health
from api.catalog import routes as catalog
from api.docs import install_docs
from api.errors import install_error_handlers
from api.gift_cards import routes as gift_cards
from api.identity import routes as identity
from api.inventory import routes as inventory
from api.middleware.access_log import AccessLogMiddleware
from api.middleware.body_limit import BodyLimitMiddleware
from api.middleware.json_depth import JsonDepthMiddleware
from api.middleware.request_context import RequestContextMiddleware
from api.middleware.security_headers import SecurityHeadersMiddleware
from api.middleware.telemetry import TelemetryMiddleware
from api.middleware.unhandled_errors import UnhandledErrorMiddleware
from api.notifications import routes as notifications
from api.openapi import install_openapi
from api.ordering import routes as ordering
from api.promotions import routes as promotions
from api.reporting import routes as reporting
from api.services import ApiConfig, ApiServices
from api.shipping import routes as shipping
from api.taxes import routes as taxes

DESCRIPTION = """
Agora is a domain-driven e-commerce backend.

**Try it:** click *Authorize*, log in with a demo account (listed below in demo mode, and in
the README), and call any endpoint. Errors are RFC 9457 `application/problem+json` with a
stable `code`, listed under each operation's responses.
"""

TAGS = [
    {"name": "auth", "description": "Log in, refresh and log out (OAuth2 password flow, JWT)."},
    {"name": "users", "description": "Registration, your profile, and user administration."},
    {"name": "catalog", "description": "Products, prices, categories, images, import/export."},
    {"name": "inventory", "description": "Stock levels, receipts, adjustments and the ledger."},
    {"name": "cart", "description": "Your cart, priced by the catalog as it is now."},
    {"name": "orders", "description": "Checkout, your orders, and staff fulfilment and refunds."},
    {"name": "integrations", "description": "API keys, and the routes machines call with them."},
    {"name": "payments", "description": "Signed callbacks from the payment provider."},
    {"name": "webhooks", "description": "Signed outbound webhooks for other systems (admin)."},
    {"name": "taxes", "description": "Tax categories, rates per destination, currency modes."},
    {"name": "shipping", "description": "Shipping methods, where they ship and what they cost."},
    {"name": "promotions", "description": "Promotions and their coupon codes (staff)."},
    {"name": "reports", "description": "Sales by day and product, top products, order export."},
    {"name": "gift cards", "description": "Gift cards: staff issue and manage; balance by code."},
    {"name": "health", "description": "Liveness and readiness probes."},
]

ServicesFactory = Callable[[], AbstractAsyncContextManager[ApiServices]]

# Each context's routers, in the order the paths must be tried.
CONTEXT_ROUTES = (
    identity,
    catalog,
    inventory,
    ordering,
    reporting,
    notifications,
    taxes,
    shipping,
    promotions,
    gift_cards,
)


def create_app(*, config: ApiConfig, services: ServicesFactory) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with services() as opened:
            app.state.services = opened
            yield

    app = FastAPI(
        title="Agora",
        version=config.version,
        description="\n\n".join(filter(None, [DESCRIPTION, config.docs_notice])),
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # Outermost first: the request id exists before anything logs or fails.
        middleware=[
            Middleware(RequestContextMiddleware),
            Middleware(AccessLogMiddleware),
            # Inside the access log, which reads the count it leaves behind.
            Middleware(config.statement_scope),
            Middleware(SecurityHeadersMiddleware, hsts=config.hsts),
            Middleware(UnhandledErrorMiddleware),
            Middleware(
                BodyLimitMiddleware,
                max_bytes=config.max_body_bytes,
                max_header_bytes=config.max_header_bytes,
                uploads=(r"^/api/v1/products/import$", r"^/api/v1/products/[^/]+/images$"),
                upload_max_bytes=config.upload_max_bytes,
            ),
            Middleware(JsonDepthMiddleware),
        ],
    )
    if config.metrics or config.tracing:  # just inside the request id (ADR 0026)
        app.user_middleware.insert(1, Middleware(TelemetryMiddleware, metrics=config.metrics))
    install_error_handlers(app)
    for routes in CONTEXT_ROUTES:
        for router in routes.routers:
            app.include_router(router)
    app.include_router(health.router)
    install_docs(app)
    install_openapi(app)
    return app
