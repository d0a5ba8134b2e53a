"""Cart rules, and how the cart is shown against today's catalog."""

import uuid

import pytest

from application.ordering.views import CartView
from domain.ordering.cart import MAX_LINES, Cart
from domain.ordering.errors import CartFull, InvalidCartQuantity, NotInCart, ProductUnavailable
from domain.ordering.values import CatalogItem
from domain.shared.money import Money

EUR = Money.of("2.50", "EUR")


def put(cart: Cart, sku: str, quantity: int = 1, *, active: bool = True) -> None:
    cart.set_line(sku=sku, product_id=uuid.uuid4(), quantity=quantity, price=EUR, active=active)


def test_quantities_are_between_1_and_999() -> None:
    cart = Cart(uuid.uuid4())
    for quantity in (0, -1, 1000):
        with pytest.raises(InvalidCartQuantity):
            put(cart, "A", quantity)
    put(cart, "A", 999)
    put(cart, "A", 1)
    assert [(line.sku, line.quantity) for line in cart.lines] == [("A", 1)]


def test_a_cart_holds_at_most_100_lines_but_existing_lines_can_still_change() -> None:
    cart = Cart(uuid.uuid4())
    for n in range(MAX_LINES):
        put(cart, f"SKU-{n}")
    with pytest.raises(CartFull):
        put(cart, "ONE-MORE")
    put(cart, "SKU-0", 5)
    assert len(cart.lines) == MAX_LINES


def test_only_products_for_sale_go_in_and_only_lines_there_come_out() -> None:
    cart = Cart(uuid.uuid4())
    with pytest.raises(ProductUnavailable):
        put(cart, "DRAFT", active=False)
    with pytest.raises(NotInCart):
        cart.remove_line("NOPE")


def test_the_view_prices_lines_now_and_flags_what_changed() -> None:
    cart = Cart(uuid.uuid4())
    put(cart, "SAME", 2)
    put(cart, "DEARER", 1)
    put(cart, "GONE", 1)
    items = {
        "SAME": CatalogItem(
            product_id=uuid.uuid4(), sku="SAME", name="Same", price=EUR, active=True
        ),
        "DEARER": CatalogItem(
            product_id=uuid.uuid4(),
            sku="DEARER",
            name="Dearer",
            price=Money.of("3.00", "EUR"),
            active=True,
        ),
        "GONE": CatalogItem(
            product_id=uuid.uuid4(), sku="GONE", name="Gone", price=EUR, active=False
        ),
    }
    view = CartView.priced(cart, items, currency="EUR")
    flags = {line.sku: (line.price_changed, line.available) for line in view.lines}
    assert flags == {"SAME": (False, True), "DEARER": (True, True), "GONE": (False, False)}
    assert view.totals == (Money.of("8.00", "EUR"),)  # 2 x 2.50 + 3.00; archived lines excluded
    assert view.ready_for_checkout is False
