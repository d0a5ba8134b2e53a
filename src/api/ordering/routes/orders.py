"""Checkout and orders: customers see and cancel their own; staff search, ship, deliver and
refund any. Another customer's order id is answered like an unknown one: 404."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Response

from api.dependencies import (
    CurrentPrincipal,
    IdempotencyKey,
    OptionalPrincipal,
    OrderFulfiller,
    OrderPlacer,
    OrderRefunder,
    OrderSearcher,
    OwnOrderReader,
    PageCursor,
    PageLimit,
    Services,
)
from api.openapi import raises
from api.ordering.schemas import (
    CancelRequest,
    CheckoutRequest,
    ClaimedOrders,
    OrderPage,
    OrderResponse,
    PlacedOrderResponse,
    RefundRequest,
    ShipRequest,
    Timeline,
)
from api.schemas import Instant, SafeStr
from application.identity.views import Principal
from application.ordering import commands as c
from application.ordering import ports
from application.ordering.ports import (
    FulfilmentBacklogged,
    LocationLacksUnits,
    PaymentUnavailable,
)
from application.ordering.views import OrderSearch, OrderSummary, PlacedOrder
from application.shared import errors as shared
from application.shared.pagination import DEFAULT_LIMIT, Page
from domain.identity.values import Permission
from domain.ordering import errors as ordering
from domain.ordering.order import OrderState
from domain.ordering.values import OrderStatus
from domain.shared.money import Money

router = APIRouter(prefix="/api/v1", tags=["orders"])

REPLAYED = "Idempotent-Replayed"


def sees_all(principal: Principal) -> bool:
    """Whether the caller sees every order (staff), not only their own: the one rule of order
    reads, live streams included."""
    return Permission.ORDERS_READ_ANY in principal.permissions


ORDER_TOKEN_HEADER = "X-Order-Token"  # noqa: S105 - a header name, not a secret

OrderToken = Annotated[
    SafeStr | None,
    Header(
        alias=ORDER_TOKEN_HEADER,
        max_length=100,
        description="A guest order's access token (from checkout's answer): opens this order "
        "without logging in.",
    ),
]


@dataclass(frozen=True, kw_only=True)
class OrderViewer:
    """Who reads an order: a logged-in caller, or whoever holds the order's access token."""

    principal: Principal | None
    access_token: str | None

    @property
    def viewer_id(self) -> UUID | None:
        return None if self.principal is None else self.principal.user_id

    @property
    def any_order(self) -> bool:
        return self.principal is not None and sees_all(self.principal)


@raises(shared.NotAuthenticated)
async def order_viewer(
    principal: OptionalPrincipal, access_token: OrderToken = None
) -> OrderViewer:
    if principal is None and access_token is None:
        raise shared.NotAuthenticated(
            f"a bearer access token or an {ORDER_TOKEN_HEADER} is required"
        )
    return OrderViewer(principal=principal, access_token=access_token)


Viewer = Annotated[OrderViewer, Depends(order_viewer)]


@router.post(
    "/checkout",
    summary="Place an order from your cart",
    status_code=201,
    response_model=PlacedOrderResponse,
)
@raises(
    ordering.EmptyOrder,
    ordering.CartNeedsReview,
    ordering.MixedCurrencies,
    ordering.CurrencyMismatch,
    ordering.InvalidAddress,
    ordering.ShippingMethodRequired,
    ordering.ShippingNotOffered,
    ordering.PaymentTokenRequired,
    ordering.EmailRequired,
    ports.CouponNotApplicable,
    ports.UnknownCoupon,
    ports.CouponExpired,
    ports.CouponUsedUp,
    ports.GiftCardNotUsable,
    ports.GiftCardBalanceTooLow,
    shared.ConcurrencyConflict,
    FulfilmentBacklogged,
)
async def check_out(
    body: CheckoutRequest,
    response: Response,
    customer: OrderPlacer,
    services: Services,
    idempotency_key: IdempotencyKey,
) -> PlacedOrder:
    """Priced as `POST /cart/quote` prices the cart: catalog prices, promotions and coupons,
    shipping, taxes, gift cards. The order is placed, its coupons redeemed and gift cards
    debited, and the cart emptied, in one transaction: a refusal (a coupon used up, a card too
    low, a method not offered) changes nothing. Stock and payment of the amount due follow
    within moments (watch `status`). The same `Idempotency-Key` and body replays the first
    response; another body under it is 422; a retry while the first runs is 409. While too
    many orders wait for stock and payment, a new checkout is 503 `fulfilment_backlogged`
    with `Retry-After` (a replay still gets its answer)."""
    outcome = await services.bus.handle(checkout_command(body, customer, idempotency_key))
    response.headers["Location"] = f"/api/v1/orders/{outcome.value.id}"
    if outcome.replayed:
        response.headers[REPLAYED] = "true"
    return outcome.value


def checkout_command(body: CheckoutRequest, customer: Principal, key: str) -> c.CheckOut:
    return c.CheckOut(
        customer_id=customer.user_id,
        idempotency_key=key,
        shipping_address=body.shipping_address.to_domain() if body.shipping_address else None,
        shipping_address_id=body.shipping_address_id,
        billing_address=body.billing_address.to_domain() if body.billing_address else None,
        billing_address_id=body.billing_address_id,
        shipping_method=body.shipping_method,
        coupon_codes=tuple(body.coupon_codes),
        gift_card_codes=tuple(body.gift_card_codes),
        # A registered customer's order records the account's email unless another is given.
        email=body.email or customer.email,
        guest=customer.is_guest,
        payment_token=body.payment_token,
    )


@router.post(
    "/orders/claim",
    summary="Take over the orders you placed as a guest",
    response_model=ClaimedOrders,
)
@raises(ordering.EmailNotVerified, ordering.OrderNotClaimable)
async def claim_guest_orders(customer: OwnOrderReader, services: Services) -> ClaimedOrders:
    """Every guest order placed with your account's email becomes yours (it shows in
    `GET /orders`; its access token keeps working). Your email must be verified first
    (`POST /users/me/email-verification`): 403 `email_not_verified` until it is. Claiming
    again changes nothing."""
    claimed = await services.bus.handle(
        c.ClaimGuestOrders(
            customer_id=customer.user_id,
            email=customer.email or "",
            email_verified=customer.email_verified and not customer.is_guest,
        )
    )
    return ClaimedOrders.model_validate({"items": claimed})


@router.get(
    "/orders",
    summary="Your orders, newest first",
    response_model=OrderPage,
)
@raises(shared.InvalidCursor)
async def my_orders(
    customer: OwnOrderReader,
    services: Services,
    status: OrderStatus | None = None,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> Page[OrderSummary]:
    query = OrderSearch(customer_id=customer.user_id, status=status, limit=limit, cursor=cursor)
    return await services.ordering.search(query)


@router.get(
    "/staff/orders",
    summary="Search all orders (staff)",
    response_model=OrderPage,
)
@raises(shared.InvalidCursor)
async def search_orders(
    _: OrderSearcher,
    services: Services,
    status: OrderStatus | None = None,
    customer_id: UUID | None = None,
    placed_from: Annotated[Instant | None, Query(description="Inclusive, ISO 8601.")] = None,
    placed_to: Annotated[Instant | None, Query(description="Exclusive, ISO 8601.")] = None,
    min_total: Annotated[Decimal | None, Query(ge=0, max_digits=10, decimal_places=2)] = None,
    max_total: Annotated[Decimal | None, Query(ge=0, max_digits=10, decimal_places=2)] = None,
    currency: Annotated[SafeStr, Query(pattern=r"^[A-Z]{3}$")] = "EUR",
    awaiting_refund: Annotated[
        bool, Query(description="Only orders cancelled after payment and not refunded yet.")
    ] = False,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> Page[OrderSummary]:
    """Total bounds apply to orders in `currency`."""
    query = OrderSearch(
        customer_id=customer_id,
        status=status,
        placed_from=placed_from,
        placed_to=placed_to,
        min_total=None if min_total is None else Money.of(min_total, currency),
        max_total=None if max_total is None else Money.of(max_total, currency),
        awaiting_refund=awaiting_refund,
        limit=limit,
        cursor=cursor,
    )
    return await services.ordering.search(query)


@router.get(
    "/orders/{order_id}",
    summary="One order",
    response_model=OrderResponse,
)
@raises(ordering.OrderNotFound)
async def read_order(order_id: UUID, viewer: Viewer, services: Services) -> OrderState:
    """Your own order (staff: any), or a guest's order with its `X-Order-Token`; anything else
    is 404. `breakdown` shows every number and how it was reached."""
    return await services.ordering.order(
        order_id,
        viewer_id=viewer.viewer_id,
        any_order=viewer.any_order,
        access_token=viewer.access_token,
    )


@router.get(
    "/orders/{order_id}/timeline",
    summary="What happened to an order, in order",
    response_model=Timeline,
)
@raises(ordering.OrderNotFound)
async def order_timeline(order_id: UUID, viewer: Viewer, services: Services) -> Timeline:
    entries = await services.ordering.timeline(
        order_id,
        viewer_id=viewer.viewer_id,
        any_order=viewer.any_order,
        access_token=viewer.access_token,
    )
    return Timeline.model_validate({"items": entries})


@router.post(
    "/orders/{order_id}/cancel",
    summary="Cancel an order before it ships",
    response_model=OrderResponse,
)
@raises(
    ordering.OrderNotFound,
    ordering.OrderNotCancellable,
    ordering.IllegalTransition,
    shared.ConcurrencyConflict,
)
async def cancel(
    order_id: UUID,
    body: CancelRequest,
    response: Response,
    principal: CurrentPrincipal,
    services: Services,
    idempotency_key: IdempotencyKey,
) -> OrderState:
    """Customers cancel their own orders, staff any. Reserved stock is released; a paid order
    stays refundable (staff issue the refund)."""
    outcome = await services.bus.handle(
        c.CancelOrder(
            order_id=order_id,
            actor_id=principal.user_id,
            any_order=Permission.ORDERS_FULFIL in principal.permissions,
            reason=body.reason,
            idempotency_key=idempotency_key,
        )
    )
    if outcome.replayed:
        response.headers[REPLAYED] = "true"
    return outcome.value


@router.post(
    "/orders/{order_id}/ship",
    summary="Ship a paid order (staff)",
    response_model=OrderResponse,
)
@raises(
    ordering.OrderNotFound,
    ordering.OrderNotPaid,
    ordering.OrderAlreadyShipped,
    ordering.IllegalTransition,
    LocationLacksUnits,
    shared.ConcurrencyConflict,
)
async def ship(
    order_id: UUID, body: ShipRequest, staff: OrderFulfiller, services: Services
) -> OrderState:
    return await services.bus.handle(
        c.ShipOrder(order_id=order_id, actor_id=staff.user_id, **body.model_dump())
    )


@router.post(
    "/orders/{order_id}/deliver",
    summary="Mark a shipped order delivered (staff)",
    response_model=OrderResponse,
)
@raises(
    ordering.OrderNotFound,
    ordering.OrderNotShipped,
    ordering.IllegalTransition,
    shared.ConcurrencyConflict,
)
async def deliver(order_id: UUID, staff: OrderFulfiller, services: Services) -> OrderState:
    return await services.bus.handle(c.MarkDelivered(order_id=order_id, actor_id=staff.user_id))


@router.post(
    "/orders/{order_id}/refund",
    summary="Refund a paid, or cancelled-after-payment, order (staff)",
    response_model=OrderResponse,
)
@raises(
    ordering.OrderNotFound,
    ordering.NothingCaptured,
    ordering.OrderNotRefundable,
    ordering.OrderAlreadyRefunded,
    ordering.IllegalTransition,
    PaymentUnavailable,
    shared.ConcurrencyConflict,
)
async def refund(
    order_id: UUID, body: RefundRequest, staff: OrderRefunder, services: Services
) -> OrderState:
    """All that is left of the captured money goes back through the payment provider; once
    all of it went back, another refund is 409 (part of it: `POST .../refunds`)."""
    return await services.bus.handle(
        c.RefundOrder(order_id=order_id, reason=body.reason, actor_id=staff.user_id)
    )
