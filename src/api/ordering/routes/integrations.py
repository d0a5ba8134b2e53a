"""Routes for machines (a warehouse, a partner), authenticated by `X-API-Key` alone: a bearer
token is not accepted here, and an API key is not accepted anywhere else."""

from uuid import UUID

from fastapi import APIRouter

from api.dependencies import FulfilmentKey, OrderFeedKey, PageCursor, PageLimit, Services
from api.openapi import raises
from api.ordering.schemas import OrderPage, OrderResponse, ShipRequest
from application.ordering.commands import MarkDelivered, ShipOrder
from application.ordering.views import OrderSearch, OrderSummary
from application.shared import errors as shared
from application.shared.pagination import DEFAULT_LIMIT, Page
from domain.ordering import errors as ordering
from domain.ordering.order import OrderState
from domain.ordering.values import OrderStatus

router = APIRouter(prefix="/api/v1/integrations", tags=["integrations"])


@router.get(
    "/orders",
    summary="Orders to fulfil, newest first (API key: orders:read:any)",
    response_model=OrderPage,
)
@raises(shared.InvalidCursor)
async def orders(
    _: OrderFeedKey,
    services: Services,
    status: OrderStatus | None = OrderStatus.PAID,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> Page[OrderSummary]:
    return await services.ordering.search(OrderSearch(status=status, limit=limit, cursor=cursor))


@router.post(
    "/orders/{order_id}/shipment",
    summary="Report an order shipped (API key: orders:fulfil)",
    response_model=OrderResponse,
)
@raises(
    ordering.OrderNotFound,
    ordering.OrderNotPaid,
    ordering.OrderAlreadyShipped,
    ordering.IllegalTransition,
    shared.ConcurrencyConflict,
)
async def shipped(
    order_id: UUID, body: ShipRequest, _: FulfilmentKey, services: Services
) -> OrderState:
    """Reporting the same tracking number again changes nothing."""
    # No actor: the API key is named in the event's metadata.
    return await services.bus.handle(
        ShipOrder(order_id=order_id, actor_id=None, **body.model_dump())
    )


@router.post(
    "/orders/{order_id}/delivery",
    summary="Report an order delivered (API key: orders:fulfil)",
    response_model=OrderResponse,
)
@raises(
    ordering.OrderNotFound,
    ordering.OrderNotShipped,
    ordering.IllegalTransition,
    shared.ConcurrencyConflict,
)
async def delivered(order_id: UUID, _: FulfilmentKey, services: Services) -> OrderState:
    return await services.bus.handle(MarkDelivered(order_id=order_id, actor_id=None))
