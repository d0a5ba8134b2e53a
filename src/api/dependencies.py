"""FastAPI dependencies as `Annotated` aliases: services, the caller, and permission guards."""

from collections.abc import Awaitable, Callable
from typing import Annotated, cast

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from api.openapi import REQUIRED_IN_DOCUMENT, raises
from api.schemas import SafeStr
from api.services import ApiServices
from application.identity.views import Machine, Principal
from application.shared import idempotency
from application.shared.context import current_call
from application.shared.errors import DatabaseUnavailable, NotAuthenticated, PermissionDenied
from application.shared.pagination import MAX_LIMIT
from domain.identity.values import Permission

PageLimit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
PageCursor = Annotated[
    SafeStr | None, Query(max_length=512, description="`next_cursor` of the previous page.")
]

# A demo mug: Swagger UI prefills it, so a newcomer's first cart line is a real product.
SkuPath = Annotated[
    SafeStr,
    Path(
        max_length=64,
        openapi_examples={"demo": {"summary": "A demo mug", "value": "MUG-BLUE-350"}},
    ),
]

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 - a URL, not a secret

# auto_error=False: a missing token is answered by our problem+json 401, not FastAPI's.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


# Every route reaches PostgreSQL through its services: an outage is a 503 on any of them.
@raises(DatabaseUnavailable)
async def get_services(request: Request) -> ApiServices:
    return cast(ApiServices, request.app.state.services)


def client_ip(request: Request) -> str:
    """The caller's address (the proxy's forwarded one, when uvicorn trusts the proxy)."""
    return request.client.host if request.client else "unknown"


Services = Annotated[ApiServices, Depends(get_services)]


@raises(NotAuthenticated)
async def current_principal(
    services: Services, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    if not token:
        raise NotAuthenticated("a bearer access token is required")
    principal = await services.identity.authenticate(token)
    context = current_call.get()
    if context is not None:
        context.actor_id = str(principal.user_id)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


@raises(NotAuthenticated)
async def optional_principal(
    services: Services, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal | None:
    """The caller if a token was sent (and it must then be valid), else None: for public routes
    that show staff more."""
    return None if not token else await current_principal(services, token)


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def require(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through only callers whose roles grant `permission` (else 403)."""

    @raises(PermissionDenied)
    async def guard(principal: CurrentPrincipal) -> Principal:
        principal.require(permission)
        return principal

    guard.__name__ = f"require_{permission.replace(':', '_')}"
    return guard


UserManager = Annotated[Principal, Depends(require(Permission.USERS_MANAGE))]
UserReader = Annotated[Principal, Depends(require(Permission.USERS_READ_ANY))]
ProfileOwner = Annotated[Principal, Depends(require(Permission.PROFILE_WRITE))]
ProfileReader = Annotated[Principal, Depends(require(Permission.PROFILE_READ))]
CatalogWriter = Annotated[Principal, Depends(require(Permission.CATALOG_WRITE))]
InventoryReader = Annotated[Principal, Depends(require(Permission.INVENTORY_READ))]
InventoryWriter = Annotated[Principal, Depends(require(Permission.INVENTORY_WRITE))]
CartOwner = Annotated[Principal, Depends(require(Permission.CART_WRITE))]
OrderPlacer = Annotated[Principal, Depends(require(Permission.ORDERS_PLACE))]
OwnOrderReader = Annotated[Principal, Depends(require(Permission.ORDERS_READ_OWN))]
OrderSearcher = Annotated[Principal, Depends(require(Permission.ORDERS_READ_ANY))]
OrderFulfiller = Annotated[Principal, Depends(require(Permission.ORDERS_FULFIL))]
OrderRefunder = Annotated[Principal, Depends(require(Permission.ORDERS_REFUND))]

IDEMPOTENCY_HEADER = "Idempotency-Key"


@raises(
    idempotency.IdempotencyKeyRequired,
    idempotency.InvalidIdempotencyKey,
    idempotency.IdempotencyKeyInUse,
    idempotency.IdempotencyKeyReused,
)
async def idempotency_key(
    key: Annotated[
        SafeStr | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            max_length=200,
            description="A unique string per purchase (Swagger UI fills in a fresh one). A retry "
            "with the same key and body returns the first response.",
            examples=["3f1c9a0e-7b1d-4c52-9e0a-5d2f8b6c1a47"],
            json_schema_extra=REQUIRED_IN_DOCUMENT,
        ),
    ] = None,
) -> str:
    """Absent, it is answered with our own 400 problem, so it is parsed as optional."""
    if key is None:
        raise idempotency.IdempotencyKeyRequired(
            "send an Idempotency-Key header (any unique string)"
        )
    return key


IdempotencyKey = Annotated[str, Depends(idempotency_key)]
WebhookManager = Annotated[Principal, Depends(require(Permission.WEBHOOKS_MANAGE))]
ReportReader = Annotated[Principal, Depends(require(Permission.REPORTS_READ))]
PromotionsWriter = Annotated[Principal, Depends(require(Permission.PROMOTIONS_WRITE))]
ApiKeyManager = Annotated[Principal, Depends(require(Permission.API_KEYS_MANAGE))]
TaxesWriter = Annotated[Principal, Depends(require(Permission.TAXES_WRITE))]
ShippingWriter = Annotated[Principal, Depends(require(Permission.SHIPPING_WRITE))]
GiftCardManager = Annotated[Principal, Depends(require(Permission.GIFT_CARDS_WRITE))]

# Machine routes read only this header; people's routes read only the bearer token.
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)


def require_scope(scope: Permission) -> Callable[..., Awaitable[Machine]]:
    """A dependency that lets through only a valid, unrevoked API key holding `scope`."""

    @raises(NotAuthenticated, PermissionDenied)
    async def guard(
        services: Services, key: Annotated[str | None, Depends(api_key_scheme)]
    ) -> Machine:
        if not key:
            raise NotAuthenticated("this route is for integrations: send an X-API-Key header")
        machine = await services.identity.authenticate_machine(key)
        machine.require(scope)
        context = current_call.get()
        if context is not None:
            context.actor_id = f"api-key:{machine.key_id}"
        return machine

    guard.__name__ = f"require_key_{scope.replace(':', '_')}"
    return guard


OrderFeedKey = Annotated[Machine, Depends(require_scope(Permission.ORDERS_READ_ANY))]
FulfilmentKey = Annotated[Machine, Depends(require_scope(Permission.ORDERS_FULFIL))]
