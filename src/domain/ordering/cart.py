"""The cart: one per customer, SKUs and quantities that checkout turns into an order. Each line
keeps the price last confirmed, so a price change is shown instead of slipping into the order."""

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from domain.ordering.errors import (
    CartFull,
    CartNeedsReview,
    InvalidCartQuantity,
    NotInCart,
    ProductUnavailable,
)
from domain.ordering.values import CatalogItem, OrderLine
from domain.shared.money import Money

MAX_QUANTITY = 999
MAX_LINES = 100


@dataclass(frozen=True, kw_only=True)
class CartLine:
    """A SKU and its quantity, with the price the customer last confirmed for it."""

    sku: str
    product_id: UUID
    quantity: int
    confirmed_price: Money


class Cart:
    """A customer's cart; lines keyed by SKU, in the order they were first added."""

    def __init__(self, customer_id: UUID, lines: list[CartLine] | None = None) -> None:
        self.customer_id = customer_id
        self._lines = {line.sku: line for line in lines or []}

    def set_line(
        self, *, sku: str, product_id: UUID, quantity: int, price: Money, active: bool
    ) -> None:
        """Add the SKU or change its quantity; either way the customer has now seen `price`."""
        if not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidCartQuantity(f"quantity must be between 1 and {MAX_QUANTITY}")
        if not active:
            raise ProductUnavailable(f"{sku} is not for sale")
        if sku not in self._lines and len(self._lines) >= MAX_LINES:
            raise CartFull(f"a cart holds at most {MAX_LINES} lines")
        self._lines[sku] = CartLine(
            sku=sku, product_id=product_id, quantity=quantity, confirmed_price=price
        )

    def remove_line(self, sku: str) -> None:
        if self._lines.pop(sku, None) is None:
            raise NotInCart(f"{sku} is not in the cart")

    def clear(self) -> None:
        self._lines.clear()

    def order_lines(self, items: Mapping[str, CatalogItem]) -> list[OrderLine]:
        """The lines at the catalog's prices now, never the client's; refused if a line's
        product was archived or repriced since the customer last confirmed it."""
        lines = []
        for line in self.lines:
            item = items.get(line.sku)
            if item is None or not item.active or item.price != line.confirmed_price:
                raise CartNeedsReview(
                    f"{line.sku} was archived or repriced since it was added; review the cart"
                )
            lines.append(
                OrderLine(
                    product_id=item.product_id,
                    sku=item.sku,
                    name=item.name,
                    unit_price=item.price,
                    quantity=line.quantity,
                )
            )
        return lines

    @property
    def lines(self) -> list[CartLine]:
        return list(self._lines.values())

    @property
    def skus(self) -> list[str]:
        return list(self._lines)

    @property
    def is_empty(self) -> bool:
        return not self._lines
