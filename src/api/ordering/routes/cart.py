"""The customer's cart. Prices shown are the catalog's current ones; checkout re-prices."""

from typing import Annotated

from fastapi import APIRouter, Path

from api.dependencies import CartOwner, Services
from api.ordering.schemas import CartLineInput, CartResponse
from api.problems import problem_responses
from api.schemas import SafeStr
from application.ordering.commands import ClearCart, RemoveCartLine, SetCartLine
from application.ordering.views import CartView

router = APIRouter(prefix="/api/v1/cart", tags=["cart"])

SkuPath = Annotated[SafeStr, Path(max_length=64, examples=["MUG-BLUE-350"])]


@router.get(
    "", summary="Your cart", response_model=CartResponse, responses=problem_responses(401, 403)
)
async def read_cart(customer: CartOwner, services: Services) -> CartView:
    """Lines whose product was archived or repriced since you added them are flagged."""
    return await services.ordering.cart(customer.user_id)


@router.put(
    "/lines/{sku}",
    summary="Put a product in the cart, or change its quantity",
    response_model=CartResponse,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def set_line(
    sku: SkuPath, body: CartLineInput, customer: CartOwner, services: Services
) -> CartView:
    """Quantity 1..999; at most 100 lines; only active products (409 otherwise). Setting a line
    again confirms its current price."""
    return await services.bus.handle(
        SetCartLine(customer_id=customer.user_id, sku=sku, quantity=body.quantity)
    )


@router.delete(
    "/lines/{sku}",
    summary="Remove a product from the cart",
    response_model=CartResponse,
    responses=problem_responses(401, 403, 404, 422),
)
async def remove_line(sku: SkuPath, customer: CartOwner, services: Services) -> CartView:
    return await services.bus.handle(RemoveCartLine(customer_id=customer.user_id, sku=sku))


@router.delete(
    "", summary="Empty the cart", response_model=CartResponse, responses=problem_responses(401, 403)
)
async def clear(customer: CartOwner, services: Services) -> CartView:
    return await services.bus.handle(ClearCart(customer_id=customer.user_id))
