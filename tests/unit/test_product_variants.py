"""The Product aggregate's variants: the default variant keeps the old SKU and price working,
and the rules between variants (SKUs, one value per option, distinct combinations, prices per
currency, the last variant, values in use) are the aggregate's."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from agora.bootstrap import build_registry
from domain.catalog import events as ev
from domain.catalog.errors import (
    DuplicateVariant,
    InvalidProduct,
    LastVariant,
    OptionValueInUse,
    ProductArchived,
    SkuAlreadyUsed,
    UnknownOptionValue,
    VariantNotFound,
)
from domain.catalog.product import Product
from domain.catalog.variant import Variant
from domain.shared.money import Money
from domain.shared.sku import Sku

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
EUR, USD = Money.of("19.90", "EUR"), Money.of("21.00", "USD")


def a_tshirt(**fields: object) -> Product:
    product = Product.create(
        id=uuid.uuid4(),
        sku=Sku.parse("TEE-S-RED"),
        name="T-shirt",
        description="",
        price=EUR,
        category_id=None,
        attributes={},
        now=NOW,
        options=[("size", ["S", "M", "L"]), ("colour", ["red", "blue"])],
        **fields,  # type: ignore[arg-type]
    )
    product.collect_events()
    return product


def a_variant(sku: str, *options: tuple[str, str], prices: tuple[Money, ...] = (EUR,)) -> Variant:
    return Variant(id=uuid.uuid4(), sku=Sku.parse(sku), options=options, prices=prices)


def test_a_product_created_the_old_way_is_one_default_variant_with_its_sku_and_price() -> None:
    product = Product.create(
        id=uuid.uuid4(),
        sku=Sku.parse("MUG-1"),
        name="Mug",
        description="",
        price=EUR,
        category_id=None,
        attributes={},
        now=NOW,
    )
    [default] = product.variants
    assert (default.id, default.sku, default.prices, default.options) == (
        product.id,
        Sku("MUG-1"),
        (EUR,),
        (),
    )
    assert (product.sku, product.price, product.tax_category) == (Sku("MUG-1"), EUR, "standard")
    [created] = product.collect_events()
    assert isinstance(created, ev.ProductCreated)
    assert (created.sku, created.amount, created.currency) == ("MUG-1", EUR.amount, "EUR")
    assert [v.sku for v in created.variants] == ["MUG-1"]


def test_the_default_variant_takes_each_options_first_value() -> None:
    product = a_tshirt()
    assert product.variants[0].options == (("size", "S"), ("colour", "red"))


def test_changing_the_product_price_changes_the_default_variants_primary_price() -> None:
    product = a_tshirt()
    product.set_variant_prices(product.variants[0].id, [EUR, USD], now=NOW)
    product.collect_events()
    product.change_price(Money.of("17.00", "EUR"), now=NOW)
    assert product.price == Money.of("17.00", "EUR")
    assert product.variants[0].prices == (Money.of("17.00", "EUR"), USD)
    [changed] = product.collect_events()
    assert isinstance(changed, ev.ProductPriceChanged)
    assert (changed.old_amount, changed.amount) == (EUR.amount, Money.of("17.00", "EUR").amount)


def test_a_price_in_another_currency_becomes_primary_and_keeps_the_old_primary() -> None:
    product = a_tshirt()
    gbp = Money.of("18.00", "GBP")
    product.set_variant_prices(product.variants[0].id, [EUR, USD, gbp], now=NOW)
    product.change_price(Money.of("20.00", "USD"), now=NOW)
    assert product.price == Money.of("20.00", "USD")
    assert product.variants[0].prices == (Money.of("20.00", "USD"), EUR, gbp)


def test_variants_are_added_after_the_others_with_their_options_in_the_products_order() -> None:
    product = a_tshirt()
    variant = a_variant("TEE-M-BLUE", ("colour", "blue"), ("size", "M"))
    product.add_variant(replace(variant, position=product.next_position), now=NOW)
    assert [v.sku.value for v in product.variants] == ["TEE-S-RED", "TEE-M-BLUE"]
    assert product.variants[1].options == (("size", "M"), ("colour", "blue"))
    [added] = product.collect_events()
    assert isinstance(added, ev.VariantAdded)
    assert added.variant.sku == "TEE-M-BLUE"


@pytest.mark.parametrize(
    ("variant", "error"),
    [
        (a_variant("TEE-S-RED", ("size", "M"), ("colour", "red")), SkuAlreadyUsed),
        (a_variant("TEE-2", ("size", "S"), ("colour", "red")), DuplicateVariant),
        (a_variant("TEE-2", ("size", "XL"), ("colour", "red")), UnknownOptionValue),
        (a_variant("TEE-2", ("size", "M")), UnknownOptionValue),
        (a_variant("TEE-2", ("size", "M"), ("colour", "red"), ("fit", "slim")), UnknownOptionValue),
        (a_variant("TEE-2", ("size", "M"), ("colour", "red"), prices=()), InvalidProduct),
        (
            a_variant("TEE-2", ("size", "M"), ("colour", "red"), prices=(EUR, EUR)),
            InvalidProduct,
        ),
        (
            replace(
                a_variant("TEE-2", ("size", "M"), ("colour", "red")), image_ids=(uuid.uuid4(),)
            ),
            InvalidProduct,
        ),
        (
            replace(a_variant("TEE-2", ("size", "M"), ("colour", "red")), weight_grams=-1),
            InvalidProduct,
        ),
    ],
    ids=["sku", "combination", "value", "missing", "extra", "no-price", "twice", "image", "weight"],
)
def test_a_variant_that_breaks_a_rule_is_refused(variant: Variant, error: type[Exception]) -> None:
    product = a_tshirt()
    with pytest.raises(error):
        product.add_variant(variant, now=NOW)
    assert len(product.variants) == 1
    assert product.collect_events() == []


def test_changing_a_variant_keeps_its_prices_and_checks_it_against_the_others() -> None:
    product = a_tshirt()
    product.add_variant(a_variant("TEE-M-RED", ("size", "M"), ("colour", "red")), now=NOW)
    default, medium = product.variants
    product.change_variant(replace(medium, weight_grams=180, prices=(USD,)), now=NOW)
    assert product.variant(medium.id).weight_grams == 180
    assert product.variant(medium.id).prices == (EUR,)
    with pytest.raises(DuplicateVariant):
        product.change_variant(replace(medium, options=default.options), now=NOW)
    with pytest.raises(VariantNotFound):
        product.change_variant(replace(medium, id=uuid.uuid4()), now=NOW)


def test_options_refuse_removing_a_value_in_use_and_give_a_new_option_its_first_value() -> None:
    product = a_tshirt()
    medium = a_variant("TEE-M-RED", ("size", "M"), ("colour", "red"))
    product.add_variant(replace(medium, position=product.next_position), now=NOW)
    with pytest.raises(OptionValueInUse):
        product.set_options([("size", ["S", "L"]), ("colour", ["red", "blue"])], now=NOW)
    with pytest.raises(DuplicateVariant):  # without size, both would be "red"
        product.set_options([("colour", ["red", "blue"])], now=NOW)
    assert [o.name for o in product.options] == ["size", "colour"]
    product.set_options(
        [("size", ["S", "M"]), ("colour", ["red"]), ("fit", ["regular", "slim"])], now=NOW
    )
    assert [v.options for v in product.variants] == [
        (("size", "S"), ("colour", "red"), ("fit", "regular")),
        (("size", "M"), ("colour", "red"), ("fit", "regular")),
    ]
    changed = product.collect_events()[-1]
    assert isinstance(changed, ev.ProductOptionsChanged)
    assert len(changed.variants) == 2


def test_the_last_variant_cannot_be_removed_and_removing_the_default_moves_the_sku() -> None:
    product = a_tshirt()
    product.add_variant(
        replace(a_variant("TEE-M-RED", ("size", "M"), ("colour", "red")), position=1), now=NOW
    )
    default = product.variants[0]
    product.remove_variant(default.id, now=NOW)
    assert product.sku == Sku("TEE-M-RED")
    with pytest.raises(LastVariant):
        product.remove_variant(product.variants[0].id, now=NOW)


def test_an_archived_products_variants_cannot_change() -> None:
    product = a_tshirt()
    product.archive(now=NOW)
    with pytest.raises(ProductArchived):
        product.add_variant(a_variant("TEE-M-RED", ("size", "M"), ("colour", "red")), now=NOW)
    with pytest.raises(ProductArchived):
        product.set_variant_prices(product.variants[0].id, [USD], now=NOW)


def test_a_stored_v1_product_created_payload_is_read_as_v2_with_its_default_variant() -> None:
    product_id = uuid.uuid4()
    v1 = {
        "occurred_at": NOW.isoformat(),
        "product_id": str(product_id),
        "sku": "MUG-1",
        "name": "Mug",
        "amount": "19.90",
        "currency": "EUR",
    }
    registry = build_registry()
    assert registry.named("ProductCreated").version == 2
    event = registry.deserialize("ProductCreated", 1, v1)
    assert isinstance(event, ev.ProductCreated)
    assert event.tax_category == "standard"
    assert event.options == ()
    [default] = event.variants
    assert default == ev.VariantData(
        variant_id=product_id,
        sku="MUG-1",
        options=(),
        prices=(ev.PriceData(amount=EUR.amount, currency="EUR"),),
        weight_grams=0,
        image_ids=(),
        position=0,
        active=True,
    )


def test_a_v2_product_created_round_trips_through_the_registry() -> None:
    registry = build_registry()
    product = Product.create(
        id=uuid.uuid4(),
        sku=Sku.parse("TEE-S-RED"),
        name="T-shirt",
        description="",
        price=EUR,
        category_id=None,
        attributes={},
        now=NOW,
        options=[("size", ["S", "M"])],
        tax_category="reduced",
    )
    [created] = product.collect_events()
    entry, payload = registry.serialize(created)
    assert entry.version == 2
    assert registry.deserialize("ProductCreated", 2, payload) == created
