"""Staff's hands on an order's payment (ADR 0037): capture it now, refund part of it (or all
that is left). A refund under an Idempotency-Key is made once: asked again, its answer is the
order with that refund, never a second one."""

from uuid import UUID

from fastapi import APIRouter

from api.dependencies import IdempotencyKey, OrderFulfiller, OrderRefunder, Services
from api.openapi import raises
from api.ordering.schemas import OrderResponse, PartialRefundRequest
from application.ordering import commands as c
from application.ordering.ports import PaymentUnavailable
from application.shared import errors as shared
from application.shared import idempotency
from domain.ordering import errors as ordering
from domain.ordering.order import OrderState
from domain.ordering.values import LineUnits
from domain.shared.money import Money

router = APIRouter(prefix="/api/v1", tags=["orders"])


@router.post(
    "/orders/{order_id}/capture",
    summary="Capture an order's authorised payment now (staff)",
    response_model=OrderResponse,
)
@raises(
    ordering.OrderNotFound,
    ordering.PaymentNotCapturable,
    ordering.AuthorisationExpired,
    ordering.IllegalTransition,
    PaymentUnavailable,
    shared.ConcurrencyConflict,
)
async def capture(order_id: UUID, staff: OrderFulfiller, services: Services) -> OrderState:
    """Orders are captured when their first parcel leaves (or at once, by configuration); this
    takes the money before. Captured already, or paid by gift cards: nothing happens."""
    return await services.bus.handle(c.CapturePayment(order_id=order_id, actor_id=staff.user_id))


@router.post(
    "/orders/{order_id}/refunds",
    summary="Refund part of an order's captured payment, or all that is left (staff)",
    response_model=OrderResponse,
    status_code=201,
)
@raises(
    ordering.OrderNotFound,
    ordering.NothingCaptured,
    ordering.RefundExceedsCaptured,
    ordering.OrderAlreadyRefunded,
    ordering.OrderNotRefundable,
    ordering.PaymentMismatch,
    ordering.IllegalTransition,
    idempotency.IdempotencyKeyReused,
    PaymentUnavailable,
    shared.ConcurrencyConflict,
)
async def refund_part(
    order_id: UUID,
    body: PartialRefundRequest,
    staff: OrderRefunder,
    services: Services,
    idempotency_key: IdempotencyKey,
) -> OrderState:
    """Never more than was captured less what was refunded or is being refunded: 409
    `refund_exceeds_captured`; before any capture, 409 `nothing_captured` (cancel instead,
    which voids the authorisation). The order is `refunded` once all of it went back. Sent
    again with its Idempotency-Key, the answer shows the same refund, made once (a refund the
    provider had not answered is completed under its own key)."""
    amount = body.amount
    return await services.bus.handle(
        c.RefundOrder(
            order_id=order_id,
            reason=body.reason,
            actor_id=staff.user_id,
            amount=None if amount is None else Money.of(amount.amount, amount.currency),
            lines=tuple(LineUnits(sku=u.sku, quantity=u.quantity) for u in body.lines),
            idempotency_key=idempotency_key,
        )
    )
