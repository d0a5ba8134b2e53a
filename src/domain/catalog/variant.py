"""A variant: one sellable form of a product (its own SKU, option values and prices). Variants
live inside the Product aggregate, which keeps the rules that span them (ADR 0030)."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from uuid import UUID

from domain.catalog import events as ev
from domain.catalog.errors import (
    DuplicateVariant,
    InvalidProduct,
    SkuAlreadyUsed,
    UnknownOptionValue,
)
from domain.catalog.values import ProductOption
from domain.shared.money import Money
from domain.shared.sku import Sku

MAX_VARIANTS = 100
MAX_WEIGHT_GRAMS = 1_000_000

OptionValues = tuple[tuple[str, str], ...]
"""(option name, value) pairs, in the order of the product's options."""


@dataclass(frozen=True, kw_only=True)
class Variant:
    """What a cart line names by its SKU. Immutable: a change replaces it in its product."""

    id: UUID
    sku: Sku
    options: OptionValues = ()
    prices: tuple[Money, ...]
    weight_grams: int = 0
    image_ids: tuple[UUID, ...] = ()
    position: int = 0
    active: bool = True

    @property
    def price(self) -> Money:
        """The price in the variant's first currency (the product's price, for the default)."""
        return self.prices[0]

    def price_in(self, currency: str) -> Money | None:
        return next((p for p in self.prices if p.currency == currency), None)

    def with_options(self, options: tuple[ProductOption, ...]) -> "Variant":
        """The variant under a product's new options: values in their order, a new option's
        first value for an option it had no value for."""
        mine = dict(self.options)
        return replace(
            self, options=tuple((o.name, mine.get(o.name, o.values[0])) for o in options)
        )


def check_prices(prices: Iterable[Money]) -> tuple[Money, ...]:
    """At least one price, one per currency, none negative; the first is the primary one."""
    checked = tuple(prices)
    if not checked:
        raise InvalidProduct("a variant has at least one price")
    currencies = [p.currency for p in checked]
    if len(set(currencies)) != len(currencies):
        raise InvalidProduct("a variant has one price per currency")
    if any(p.amount < 0 for p in checked):
        raise InvalidProduct("a price is not negative")
    return checked


def check_variant(
    variant: Variant,
    *,
    options: tuple[ProductOption, ...],
    others: Iterable[Variant],
    image_ids: tuple[UUID, ...],
) -> Variant:
    """The rules a variant keeps among its product's others; returns it with ordered options."""
    given = dict(variant.options)
    if len(given) != len(variant.options) or set(given) != {o.name for o in options}:
        raise UnknownOptionValue(
            f"variant {variant.sku} needs one value for each of: "
            + (", ".join(o.name for o in options) or "no options")
        )
    for option in options:
        if given[option.name] not in option.values:
            raise UnknownOptionValue(f"{option.name} has no value {given[option.name]!r}")
    ordered = replace(variant, options=tuple((o.name, given[o.name]) for o in options))
    check_prices(variant.prices)
    if not 0 <= variant.weight_grams <= MAX_WEIGHT_GRAMS:
        raise InvalidProduct(f"a weight is 0 to {MAX_WEIGHT_GRAMS} grams")
    if not set(variant.image_ids) <= set(image_ids):
        raise InvalidProduct("a variant's images are among its product's images")
    for other in others:
        if other.sku == variant.sku:
            raise SkuAlreadyUsed(f"SKU {variant.sku} is already one of this product's variants")
        if other.options == ordered.options:
            raise DuplicateVariant(
                f"a variant with {_label(ordered.options) or 'no options'} exists"
            )
    return ordered


def ordered(variants: tuple[Variant, ...]) -> tuple[Variant, ...]:
    """By position, then SKU: the first is the default variant."""
    return tuple(sorted(variants, key=lambda v: (v.position, v.sku)))


def option_data(option: ProductOption) -> ev.OptionData:
    return ev.OptionData(name=option.name, values=option.values)


def variant_data(variant: Variant) -> ev.VariantData:
    return ev.VariantData(
        variant_id=variant.id,
        sku=variant.sku.value,
        options=variant.options,
        prices=tuple(ev.PriceData(amount=p.amount, currency=p.currency) for p in variant.prices),
        weight_grams=variant.weight_grams,
        image_ids=variant.image_ids,
        position=variant.position,
        active=variant.active,
    )


def _label(options: OptionValues) -> str:
    return ", ".join(f"{name} {value}" for name, value in options)
