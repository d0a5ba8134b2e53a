"""Handlers of the cart: locked per customer while it changes, answered priced by the pipeline
as the cart's view is (without a destination: no shipping or tax until one is asked about)."""

from collections.abc import Mapping
from uuid import UUID

from application.ordering import commands as c
from application.ordering.deps import OrderingDeps
from application.ordering.ports import OrderingUnitOfWork
from application.ordering.pricing import Buyer, Choices, cart_view
from application.ordering.views import CartView
from domain.ordering.cart import Cart
from domain.ordering.errors import UnknownProduct
from domain.ordering.values import CatalogItem
from domain.shared.sku import Sku


async def set_cart_line(cmd: c.SetCartLine, deps: OrderingDeps) -> CartView:
    sku = Sku.parse(cmd.sku).value
    async with deps.uow() as uow:
        cart = await uow.carts.get(cmd.customer_id)
        items = await uow.catalog.items({sku, *cart.skus})
        item = items.get(sku)
        if item is None:
            raise UnknownProduct(f"no product has SKU {sku}")
        cart.put(item, quantity=cmd.quantity, default_currency=deps.default_currency)
        await uow.carts.save(cart)
        view = await _view(uow, cart, deps, items=items)
        await uow.commit()
    return view


async def remove_cart_line(cmd: c.RemoveCartLine, deps: OrderingDeps) -> CartView:
    async with deps.uow() as uow:
        cart = await uow.carts.get(cmd.customer_id)
        cart.remove_line(Sku.parse(cmd.sku).value)
        await uow.carts.save(cart)
        view = await _view(uow, cart, deps)
        await uow.commit()
    return view


async def clear_cart(cmd: c.ClearCart, deps: OrderingDeps) -> CartView:
    async with deps.uow() as uow:
        cart = await uow.carts.get(cmd.customer_id)
        cart.clear()
        await uow.carts.save(cart)
        await uow.commit()
    return CartView.priced(cart, {}, currency=cart.currency or deps.default_currency)


async def choose_cart_currency(cmd: c.ChooseCartCurrency, deps: OrderingDeps) -> CartView:
    async with deps.uow() as uow:
        cart = await uow.carts.get(cmd.customer_id)
        items = await uow.catalog.items(cart.skus)
        cart.choose_currency(cmd.currency, items)
        await uow.carts.save(cart)
        view = await _view(uow, cart, deps, items=items)
        await uow.commit()
    return view


async def _view(
    uow: OrderingUnitOfWork,
    cart: Cart,
    deps: OrderingDeps,
    *,
    items: Mapping[str, CatalogItem] | None = None,
) -> CartView:
    return await cart_view(
        uow,
        cart,
        items if items is not None else await uow.catalog.items(cart.skus),
        default_currency=deps.default_currency,
        choices=Choices(),
        buyer=_buyer(cart.customer_id),
        now=deps.clock.now(),
    )


def _buyer(customer_id: UUID) -> Buyer:
    return Buyer(customer_id=customer_id, email=None)
