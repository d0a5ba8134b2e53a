"""Handlers of a product's options and variants: each changes the Product aggregate through
one of its methods, with the product's ETag required (they change what customers can buy)."""

import uuid
from collections.abc import Mapping
from dataclasses import replace

from application.catalog import commands as c
from application.catalog.deps import CatalogDeps
from application.catalog.handlers.product import change_product
from application.catalog.views import ProductDetails
from application.shared.errors import PreconditionRequired
from domain.catalog.variant import Variant
from domain.shared.money import Money
from domain.shared.sku import Sku


async def set_product_options(cmd: c.SetProductOptions, deps: CatalogDeps) -> ProductDetails:
    return await change_product(
        cmd.product_id,
        lambda p, now: p.set_options(cmd.options, now=now),
        deps=deps,
        expected_version=_required(cmd.expected_version),
    )


async def add_variant(cmd: c.AddVariant, deps: CatalogDeps) -> ProductDetails:
    variant = Variant(
        id=uuid.uuid4(),
        sku=Sku.parse(cmd.sku),
        options=_pairs(cmd.options),
        prices=_prices(cmd.prices),
        weight_grams=cmd.weight_grams,
        image_ids=cmd.image_ids,
        active=cmd.active,
    )
    return await change_product(
        cmd.product_id,
        lambda p, now: p.add_variant(
            replace(variant, position=p.next_position if cmd.position is None else cmd.position),
            now=now,
        ),
        deps=deps,
        expected_version=_required(cmd.expected_version),
    )


async def change_variant(cmd: c.ChangeVariant, deps: CatalogDeps) -> ProductDetails:
    def change(variant: Variant) -> Variant:
        return replace(
            variant,
            sku=variant.sku if cmd.sku is None else Sku.parse(cmd.sku),
            options=variant.options if cmd.options is None else _pairs(cmd.options),
            weight_grams=variant.weight_grams if cmd.weight_grams is None else cmd.weight_grams,
            image_ids=variant.image_ids if cmd.image_ids is None else cmd.image_ids,
            position=variant.position if cmd.position is None else cmd.position,
            active=variant.active if cmd.active is None else cmd.active,
        )

    return await change_product(
        cmd.product_id,
        lambda p, now: p.change_variant(change(p.variant(cmd.variant_id)), now=now),
        deps=deps,
        expected_version=_required(cmd.expected_version),
    )


async def set_variant_prices(cmd: c.SetVariantPrices, deps: CatalogDeps) -> ProductDetails:
    prices = _prices(cmd.prices)
    return await change_product(
        cmd.product_id,
        lambda p, now: p.set_variant_prices(cmd.variant_id, prices, now=now),
        deps=deps,
        expected_version=_required(cmd.expected_version),
    )


async def remove_variant(cmd: c.RemoveVariant, deps: CatalogDeps) -> ProductDetails:
    return await change_product(
        cmd.product_id,
        lambda p, now: p.remove_variant(cmd.variant_id, now=now),
        deps=deps,
        expected_version=_required(cmd.expected_version),
    )


def _required(expected_version: int | None) -> int:
    if expected_version is None:
        raise PreconditionRequired("send If-Match with the product's ETag to change its variants")
    return expected_version


def _pairs(options: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Ordered by the product when checked; here only made pairs."""
    return tuple((name, value.strip()) for name, value in options.items())


def _prices(prices: c.Prices) -> tuple[Money, ...]:
    return tuple(Money.of(amount, currency) for amount, currency in prices)
