"""Handlers of the cart: locked per customer while it changes, answered at today's prices."""

from application.ordering import commands as c
from application.ordering.deps import OrderingDeps
from application.ordering.views import CartView
from domain.ordering.errors import UnknownProduct
from domain.shared.sku import Sku


async def set_cart_line(cmd: c.SetCartLine, deps: OrderingDeps) -> CartView:
    sku = Sku.parse(cmd.sku).value
    async with deps.uow() as uow:
        cart = await uow.carts.get(cmd.customer_id)
        items = await uow.catalog.items({sku, *cart.skus})
        item = items.get(sku)
        if item is None:
            raise UnknownProduct(f"no product has SKU {sku}")
        cart.set_line(
            sku=sku,
            product_id=item.product_id,
            quantity=cmd.quantity,
            price=item.price,
            active=item.active,
        )
        await uow.carts.save(cart)
        await uow.commit()
    return CartView.priced(cart, items)


async def remove_cart_line(cmd: c.RemoveCartLine, deps: OrderingDeps) -> CartView:
    async with deps.uow() as uow:
        cart = await uow.carts.get(cmd.customer_id)
        cart.remove_line(Sku.parse(cmd.sku).value)
        await uow.carts.save(cart)
        items = await uow.catalog.items(cart.skus)
        await uow.commit()
    return CartView.priced(cart, items)


async def clear_cart(cmd: c.ClearCart, deps: OrderingDeps) -> CartView:
    async with deps.uow() as uow:
        cart = await uow.carts.get(cmd.customer_id)
        cart.clear()
        await uow.carts.save(cart)
        await uow.commit()
    return CartView.priced(cart, {})
