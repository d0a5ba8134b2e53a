"""An order's parcels (staff): ship some units of some lines, and record each parcel's
delivery; the order ships and is delivered as its parcels do (ADR 0038)."""

from uuid import UUID

from fastapi import APIRouter

from api.dependencies import OrderFulfiller, Services
from api.openapi import raises
from api.ordering.schemas import OrderResponse, ShipmentRequest, ShipmentResponse
from application.ordering import commands as c
from application.ordering.ports import LocationLacksUnits
from application.shared import errors as shared
from domain.ordering import errors as ordering
from domain.ordering.order import OrderState
from domain.ordering.values import Shipment

router = APIRouter(prefix="/api/v1", tags=["orders"])


@router.post(
    "/orders/{order_id}/shipments",
    summary="Ship some units of a paid order in one parcel (staff)",
    response_model=ShipmentResponse,
    status_code=201,
)
@raises(
    ordering.OrderNotFound,
    ordering.OrderNotPaid,
    ordering.OrderAlreadyShipped,
    ordering.ShipmentExceedsOrder,
    ordering.NotInOrder,
    ordering.ShipmentConflict,
    LocationLacksUnits,
    shared.ConcurrencyConflict,
)
async def dispatch(
    order_id: UUID, body: ShipmentRequest, staff: OrderFulfiller, services: Services
) -> Shipment:
    """The order is `partially_shipped` until its last unit leaves, then `shipped`. Sending the
    same shipment again (its id, or its tracking number and lines) changes nothing."""
    state: OrderState = await services.bus.handle(
        c.ShipOrder(
            order_id=order_id,
            tracking_number=body.tracking_number,
            carrier=body.carrier,
            actor_id=staff.user_id,
            lines=body.to_domain(),
            location=body.location,
            shipment_id=body.shipment_id,
        )
    )
    by_id = state.shipment(body.shipment_id) if body.shipment_id else None
    return by_id or next(s for s in state.shipments if s.tracking_number == body.tracking_number)


@router.post(
    "/orders/{order_id}/shipments/{shipment_id}/delivery",
    summary="Record that one parcel arrived (staff)",
    response_model=OrderResponse,
)
@raises(ordering.OrderNotFound, ordering.ShipmentNotFound, shared.ConcurrencyConflict)
async def delivered(
    order_id: UUID, shipment_id: UUID, staff: OrderFulfiller, services: Services
) -> OrderState:
    """The order is `delivered` once every unit has shipped and every parcel arrived; doing it
    twice changes nothing."""
    return await services.bus.handle(
        c.DeliverShipment(order_id=order_id, shipment_id=shipment_id, actor_id=staff.user_id)
    )
