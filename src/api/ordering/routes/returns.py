"""Returns (ADR 0039): customers ask back shipped units of their own orders (guests with the
order's token) and see their returns; staff list, approve, refuse and receive them. The refund
follows the receipt by itself (watch `status` reach `refunded`)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api.dependencies import OrderFulfiller, OrderRefunder, OrderSearcher, Services
from api.openapi import raises
from api.ordering.return_schemas import (
    ReceiptRequest,
    RefusalRequest,
    ReturnList,
    ReturnRequest,
    ReturnResponse,
)
from api.ordering.routes.orders import Viewer
from application.ordering import commands as c
from application.shared import errors as shared
from domain.ordering import errors as ordering
from domain.ordering.returns import ReturnState
from domain.ordering.values import ReturnStatus

router = APIRouter(prefix="/api/v1", tags=["returns"])


@router.post(
    "/orders/{order_id}/returns",
    summary="Ask to send back units of a shipped order",
    status_code=201,
    response_model=ReturnResponse,
)
@raises(
    ordering.OrderNotFound,
    ordering.ReturnWindowClosed,
    ordering.ReturnExceedsShipped,
    ordering.InvalidReturn,
    shared.ConcurrencyConflict,
)
async def request_return(
    order_id: UUID, body: ReturnRequest, response: Response, viewer: Viewer, services: Services
) -> ReturnState:
    """Your own order (staff: any; a guest with its `X-Order-Token`), within the return window
    from delivery (or shipment), and no more units than were shipped less what the order's
    other returns (not refused) ask back. Staff approve or refuse it next."""
    if viewer.access_token is not None:  # the token opens the order: its customer asks
        order = await services.ordering.order(
            order_id, viewer_id=None, any_order=False, access_token=viewer.access_token
        )
        actor, any_order = order.customer_id, False
    else:
        assert viewer.viewer_id is not None
        actor, any_order = viewer.viewer_id, viewer.any_order
    state = await services.bus.handle(
        c.RequestReturn(
            order_id=order_id,
            actor_id=actor,
            any_order=any_order,
            lines=tuple(line.to_domain() for line in body.lines),
        )
    )
    response.headers["Location"] = f"/api/v1/returns/{state.id}"
    return state


@router.get(
    "/orders/{order_id}/returns",
    summary="An order's returns, oldest first",
    response_model=ReturnList,
)
@raises(ordering.OrderNotFound)
async def order_returns(order_id: UUID, viewer: Viewer, services: Services) -> ReturnList:
    found = await services.ordering.returns_of(
        order_id,
        viewer_id=viewer.viewer_id,
        any_order=viewer.any_order,
        access_token=viewer.access_token,
    )
    return ReturnList.model_validate({"items": found})


@router.get("/returns", summary="Returns, newest first (staff)", response_model=ReturnList)
async def search_returns(
    _: OrderSearcher,
    services: Services,
    status: ReturnStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> ReturnList:
    found = await services.ordering.search_returns(status=status, limit=limit)
    return ReturnList.model_validate({"items": found})


@router.get("/returns/{return_id}", summary="One return (staff)", response_model=ReturnResponse)
@raises(ordering.ReturnNotFound)
async def read_return(return_id: UUID, _: OrderSearcher, services: Services) -> ReturnState:
    return await services.ordering.return_details(return_id)


@router.post(
    "/returns/{return_id}/approval",
    summary="Approve a requested return (staff)",
    response_model=ReturnResponse,
)
@raises(ordering.ReturnNotFound, ordering.ReturnNotApproved, shared.ConcurrencyConflict)
async def approve(return_id: UUID, staff: OrderFulfiller, services: Services) -> ReturnState:
    """Approving it again changes nothing."""
    return await services.bus.handle(c.ApproveReturn(return_id=return_id, actor_id=staff.user_id))


@router.post(
    "/returns/{return_id}/refusal",
    summary="Refuse a requested return (staff)",
    response_model=ReturnResponse,
)
@raises(ordering.ReturnNotFound, ordering.ReturnNotApproved, shared.ConcurrencyConflict)
async def refuse(
    return_id: UUID, body: RefusalRequest, staff: OrderFulfiller, services: Services
) -> ReturnState:
    return await services.bus.handle(
        c.RefuseReturn(return_id=return_id, reason=body.reason, actor_id=staff.user_id)
    )


@router.post(
    "/returns/{return_id}/receipt",
    summary="Record the units that came back (staff)",
    response_model=ReturnResponse,
)
@raises(
    ordering.ReturnNotFound,
    ordering.ReturnNotApproved,
    ordering.ReceiptExceedsReturn,
    ordering.UnknownLocation,
    shared.ConcurrencyConflict,
)
async def receive(
    return_id: UUID, body: ReceiptRequest, staff: OrderRefunder, services: Services
) -> ReturnState:
    """At most the approved units; each restocked at a stock location (`main` by default) or
    written off. The refund, computed from the order's frozen breakdown, is issued next, so
    receiving a return takes the permission to refund (`orders:refund`)."""
    return await services.bus.handle(
        c.ReceiveReturn(
            return_id=return_id,
            units=tuple(unit.to_domain() for unit in body.units),
            actor_id=staff.user_id,
        )
    )
