"""The cart: one per customer, SKUs and quantities in one currency that checkout turns into an
order. Each line keeps the price last confirmed, so a price change is shown instead of slipping
into the order."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from uuid import UUID

from domain.ordering.errors import (
    CartFull,
    CartNeedsReview,
    CurrencyMismatch,
    InvalidCartQuantity,
    NotInCart,
    ProductUnavailable,
)
from domain.ordering.pricing.inputs import PricedLine
from domain.ordering.values import CatalogItem
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
    """A customer's cart; lines keyed by SKU, in the order they were first added. `currency` is
    None until the customer chooses one or a line goes in (the shop's default then)."""

    def __init__(
        self, customer_id: UUID, lines: list[CartLine] | None = None, currency: str | None = None
    ) -> None:
        self.customer_id = customer_id
        self._lines = {line.sku: line for line in lines or []}
        self.currency = currency

    def set_line(
        self, *, sku: str, product_id: UUID, quantity: int, price: Money, active: bool
    ) -> None:
        """Add the SKU or change its quantity; either way the customer has now seen `price`."""
        if not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidCartQuantity(f"quantity must be between 1 and {MAX_QUANTITY}")
        if not active:
            raise ProductUnavailable(f"{sku} is not for sale")
        if self.currency is not None and price.currency != self.currency:
            raise CurrencyMismatch(f"{sku} has no price in {self.currency}, the cart's currency")
        if sku not in self._lines and len(self._lines) >= MAX_LINES:
            raise CartFull(f"a cart holds at most {MAX_LINES} lines")
        self.currency = price.currency
        self._lines[sku] = CartLine(
            sku=sku, product_id=product_id, quantity=quantity, confirmed_price=price
        )

    def put(self, item: CatalogItem, *, quantity: int, default_currency: str) -> None:
        """`set_line` at the item's price in the cart's currency (the shop's default for a cart
        that has none yet); refused if the catalog asks none in it."""
        currency = self.currency or default_currency
        price = item.price_in(currency)
        if price is None:
            raise CurrencyMismatch(f"{item.sku} has no price in {currency}, the cart's currency")
        self.set_line(
            sku=item.sku,
            product_id=item.product_id,
            quantity=quantity,
            price=price,
            active=item.active,
        )

    def choose_currency(self, currency: str, items: Mapping[str, CatalogItem]) -> None:
        """Switch the cart to `currency`: every line is re-priced in it (the customer sees the
        new prices as confirmed), or nothing changes if one line has no price in it."""
        repriced = {}
        for line in self.lines:
            item = items.get(line.sku)
            price = item.price_in(currency) if item is not None else None
            if price is None:
                raise CurrencyMismatch(f"{line.sku} has no price in {currency}")
            repriced[line.sku] = replace(line, confirmed_price=price)
        self._lines = repriced
        self.currency = currency

    def remove_line(self, sku: str) -> None:
        if self._lines.pop(sku, None) is None:
            raise NotInCart(f"{sku} is not in the cart")

    def clear(self) -> None:
        self._lines.clear()

    def priced_lines(self, items: Mapping[str, CatalogItem]) -> list[PricedLine]:
        """The lines at the catalog's prices now, never the client's; refused if a line's
        product was archived or repriced since the customer last confirmed it."""
        lines = []
        for line in self.lines:
            item = items.get(line.sku)
            price = item.price_in(line.confirmed_price.currency) if item is not None else None
            if item is None or not item.active or price != line.confirmed_price:
                raise CartNeedsReview(
                    f"{line.sku} was archived or repriced since it was added; review the cart"
                )
            lines.append(priced_line(item, price, line.quantity))
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


def priced_line(item: CatalogItem, price: Money, quantity: int) -> PricedLine:
    """A line as the price pipeline sees it; a product without variants is its own variant."""
    return PricedLine(
        sku=item.sku,
        product_id=item.product_id,
        variant_id=item.variant_id or item.product_id,
        name=item.name,
        unit_price=price,
        quantity=quantity,
        category_ids=item.category_ids,
        tax_category=item.tax_category,
        weight_grams=item.weight_grams,
    )
