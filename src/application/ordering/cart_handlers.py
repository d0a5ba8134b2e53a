"""Cart handlers: lock the customer's cart, change it, answer with it at today's prices."""

from collections import defaultdict
from decimal import Decimal

from application.ordering.commands import ClearCart, RemoveCartLine, SetCartLine
from application.ordering.dependencies import OrderingDeps
from application.ordering.views import CartLineView, CartView, CatalogItem
from domain.ordering.cart import Cart, UnknownProduct
from domain.shared.money import Money
from domain.shared.sku import Sku


async def set_cart_line(cmd: SetCartLine, *, deps: OrderingDeps) -> CartView:
    sku = Sku.parse(cmd.sku).value
    async with deps.uow() as uow:
        cart = await uow.carts.get(cmd.customer_id)
        item = (await uow.catalog.items([sku])).get(sku)
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
        view = cart_view(cart, await uow.catalog.items(line.sku for line in cart.lines))
        await uow.commit()
    return view


async def remove_cart_line(cmd: RemoveCartLine, *, deps: OrderingDeps) -> CartView:
    sku = Sku.parse(cmd.sku).value
    async with deps.uow() as uow:
        cart = await uow.carts.get(cmd.customer_id)
        cart.remove_line(sku)
        await uow.carts.save(cart)
        view = cart_view(cart, await uow.catalog.items(line.sku for line in cart.lines))
        await uow.commit()
    return view


async def clear_cart(cmd: ClearCart, *, deps: OrderingDeps) -> CartView:
    async with deps.uow() as uow:
        cart = await uow.carts.get(cmd.customer_id)
        cart.clear()
        await uow.carts.save(cart)
        await uow.commit()
    return cart_view(cart, {})


def cart_view(cart: Cart, items: dict[str, CatalogItem]) -> CartView:
    """The cart priced by the catalog now. A line whose product was archived, or whose price
    moved since the customer last confirmed it, is flagged and holds up checkout."""
    lines = []
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in cart.lines:
        item = items.get(line.sku)
        price = item.price if item else line.confirmed_price
        total = Money(price.amount * line.quantity, price.currency)
        available = item is not None and item.active
        if available:
            totals[price.currency] += total.amount
        lines.append(
            CartLineView(
                sku=line.sku,
                product_id=line.product_id,
                name=item.name if item else line.sku,
                quantity=line.quantity,
                unit_price=price,
                line_total=total,
                confirmed_price=line.confirmed_price,
                price_changed=price != line.confirmed_price,
                available=available,
            )
        )
    return CartView(
        lines=tuple(lines),
        totals=tuple(Money(amount, currency) for currency, amount in sorted(totals.items())),
        item_count=sum(line.quantity for line in cart.lines),
        ready_for_checkout=bool(lines)
        and all(line.available and not line.price_changed for line in lines),
    )
