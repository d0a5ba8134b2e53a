"""The customer's cart. Prices shown are the catalog's current ones; checkout re-prices."""

from fastapi import APIRouter

from api.dependencies import CartOwner, Services, SkuPath
from api.openapi import raises
from api.ordering.schemas import (
    CartCurrencyRequest,
    CartLineInput,
    CartQuoteRequest,
    CartResponse,
)
from application.ordering import ports
from application.ordering.commands import (
    ChooseCartCurrency,
    ClearCart,
    RemoveCartLine,
    SetCartLine,
)
from application.ordering.pricing import Choices
from application.ordering.views import CartView
from domain.ordering import errors as ordering
from domain.shared.sku import InvalidSku

router = APIRouter(prefix="/api/v1/cart", tags=["cart"])


@router.get("", summary="Your cart", response_model=CartResponse)
async def read_cart(customer: CartOwner, services: Services) -> CartView:
    """Lines whose product was archived or repriced since you added them are flagged. The
    breakdown applies the automatic promotions; `POST /cart/quote` adds a destination (tax,
    shipping), coupons and gift cards."""
    return await services.ordering.cart(customer.user_id)


@router.post("/quote", summary="Price your cart as checkout would", response_model=CartResponse)
@raises(
    ordering.ShippingNotOffered,
    ports.CouponNotApplicable,
    ports.UnknownCoupon,
    ports.CouponExpired,
    ports.CouponUsedUp,
    ports.GiftCardNotUsable,
)
async def quote(body: CartQuoteRequest, customer: CartOwner, services: Services) -> CartView:
    """The whole breakdown for a destination, a shipping method, coupons and gift cards, with
    the methods offered there. Nothing is stored or spent: send the same choices to
    `POST /checkout`. Gift card codes go in the body, never in a URL."""
    choices = Choices(
        country=body.country,
        region=body.region,
        shipping_method=body.shipping_method,
        coupon_codes=tuple(body.coupon_codes),
        gift_card_codes=tuple(body.gift_card_codes),
    )
    return await services.ordering.cart(customer.user_id, choices=choices)


@router.put("/currency", summary="Choose your cart's currency", response_model=CartResponse)
@raises(ordering.CurrencyMismatch)
async def choose_currency(
    body: CartCurrencyRequest, customer: CartOwner, services: Services
) -> CartView:
    """Every line is re-priced in the new currency (the new prices count as confirmed); if one
    has no price in it, 422 `currency_mismatch` and nothing changes."""
    return await services.bus.handle(
        ChooseCartCurrency(customer_id=customer.user_id, currency=body.currency)
    )


@router.put(
    "/lines/{sku}",
    summary="Put a product in the cart, or change its quantity",
    response_model=CartResponse,
)
@raises(
    InvalidSku,
    ordering.UnknownProduct,
    ordering.ProductUnavailable,
    ordering.InvalidCartQuantity,
    ordering.CartFull,
    ordering.CurrencyMismatch,
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
)
@raises(InvalidSku, ordering.NotInCart)
async def remove_line(sku: SkuPath, customer: CartOwner, services: Services) -> CartView:
    return await services.bus.handle(RemoveCartLine(customer_id=customer.user_id, sku=sku))


@router.delete("", summary="Empty the cart", response_model=CartResponse)
async def clear(customer: CartOwner, services: Services) -> CartView:
    return await services.bus.handle(ClearCart(customer_id=customer.user_id))
