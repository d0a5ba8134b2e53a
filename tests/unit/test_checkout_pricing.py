"""Checkout priced by the pipeline through ordering's ports, against in-memory fakes: shipping
rules, coupons and gift cards spent in the order's transaction, a refusal that changes nothing,
the amount due paid (or not asked for), guests' emails and access tokens, claims."""

import copy
import uuid
from decimal import Decimal
from typing import Any

import pytest

from application.ordering.access import access_token_hash
from application.ordering.commands import CheckOut, ClaimGuestOrders
from application.ordering.handlers.fulfilment import FulfilmentProcess
from application.ordering.handlers.order import check_out, claim_guest_orders
from application.ordering.ports import CouponUsedUp, GiftCardNotUsable, UnknownCoupon
from domain.ordering.cart import Cart
from domain.ordering.errors import (
    EmailNotVerified,
    EmailRequired,
    InvalidAddress,
    PaymentTokenRequired,
    ShippingMethodRequired,
    ShippingNotOffered,
)
from domain.ordering.pricing.inputs import PromotionKind, PromotionTarget
from domain.ordering.values import CatalogItem, OrderStatus
from domain.shared.money import Money
from tests.support.fakes.ordering import FakePayments, FakeStock, Store, ordering_deps
from tests.support.orders import ADDRESS
from tests.support.pricing import gift_card, promotion, shipping, taxes
from tests.unit.test_ordering_handlers import run_process

CUSTOMER = uuid.uuid4()
SHIRT = CatalogItem(
    product_id=uuid.uuid4(),
    sku="SHIRT-M",
    name="T-shirt (M)",
    price=Money.of("20.00", "EUR"),
    active=True,
    variant_id=uuid.uuid4(),
    weight_grams=300,
)
WELCOME = promotion(
    PromotionKind.PERCENTAGE, PromotionTarget.ORDER, percent="10", coupon_code="WELCOME10"
)


def shop(*, quantity: int = 2) -> Store:
    """A cart of two shirts, 20 % VAT included in France, standard shipping at 5.00."""
    store = Store(items={SHIRT.sku: SHIRT})
    cart = Cart(CUSTOMER)
    cart.put(SHIRT, quantity=quantity, default_currency="EUR")
    store.carts[CUSTOMER] = cart
    store.tax_tables["FR"] = taxes(("standard", "20"), included=True)
    store.shipping_options.append(shipping(("0", "5.00")))
    store.promotions.append(WELCOME)
    store.gift_cards["GIFT-0001"] = gift_card("100.00")
    return store


def checkout(key: str = "k1", **given: Any) -> CheckOut:
    fields: dict[str, object] = {
        "customer_id": CUSTOMER,
        "idempotency_key": key,
        "shipping_address": ADDRESS,
        "shipping_method": "standard",
        "payment_token": "tok_approve",
    }
    return CheckOut(**(fields | given))  # type: ignore[arg-type]


async def test_checkout_charges_what_the_pipeline_priced_and_spends_codes_in_the_same_go() -> None:
    store = shop()
    deps = ordering_deps(store, FakeStock(available={"SHIRT-M": 5}), FakePayments())
    placed = (
        await check_out(checkout(coupon_codes=("WELCOME10",), gift_card_codes=("GIFT-0001",)), deps)
    ).value
    b = placed.breakdown
    # 40.00 - 4.00 (10 %) + 5.00 shipping = 41.00, VAT included: 36.00 / 1.2 * 0.2 + 5 / 6.
    assert (b.subtotal, b.discount_total, b.total) == (
        Money.of("40.00", "EUR"),
        Money.of("4.00", "EUR"),
        Money.of("41.00", "EUR"),
    )
    assert b.tax_total == Money.of("6.83", "EUR")  # 6.00 on the shirts, 0.83 on shipping
    assert (b.gift_card_total, b.amount_due) == (Money.of("41.00", "EUR"), Money.of("0.00", "EUR"))
    assert store.redeemed == [("WELCOME10", placed.id)]
    assert store.gift_cards["GIFT-0001"].balance == Money.of("59.00", "EUR")
    assert store.carts[CUSTOMER].is_empty
    assert placed.billing_address == ADDRESS


async def test_a_shop_with_shipping_methods_needs_one_offered_to_the_address() -> None:
    store = shop()
    deps = ordering_deps(store, FakeStock(), FakePayments())
    with pytest.raises(ShippingMethodRequired):
        await check_out(checkout(shipping_method=None), deps)
    with pytest.raises(ShippingNotOffered):
        await check_out(checkout(shipping_method="express"), deps)
    store.shipping_options.clear()  # a shop with no methods at all charges no shipping
    placed = (await check_out(checkout(shipping_method=None), deps)).value
    assert placed.breakdown.shipping is None
    assert placed.total == Money.of("40.00", "EUR")


@pytest.mark.parametrize(
    ("given", "refusal"),
    [
        ({"coupon_codes": ("NOPE",)}, UnknownCoupon),
        ({"gift_card_codes": ("NO-CARD",)}, GiftCardNotUsable),
        ({"shipping_method": "express"}, ShippingNotOffered),
        ({"payment_token": None}, PaymentTokenRequired),
        ({"guest": True}, EmailRequired),
        ({"shipping_address": None, "shipping_address_id": uuid.uuid4()}, InvalidAddress),
    ],
)
async def test_bad_input_changes_nothing(given: dict[str, Any], refusal: type[Exception]) -> None:
    store = shop()
    before = copy.deepcopy(store)
    deps = ordering_deps(store, FakeStock(), FakePayments())
    with pytest.raises(refusal):
        await check_out(checkout(**given), deps)
    assert store.streams == {}
    assert store.answers == {}
    assert store.carts[CUSTOMER].lines == before.carts[CUSTOMER].lines
    assert store.gift_cards == before.gift_cards
    assert store.redeemed == []


async def test_a_used_up_coupon_refuses_the_order_and_spends_no_gift_card() -> None:
    store = shop()
    store.coupon_uses_left["WELCOME10"] = 0
    deps = ordering_deps(store, FakeStock(), FakePayments())
    with pytest.raises(CouponUsedUp):
        await check_out(checkout(coupon_codes=("WELCOME10",), gift_card_codes=("GIFT-0001",)), deps)
    assert store.streams == {}
    assert store.gift_cards["GIFT-0001"].balance.amount == Decimal(100)


async def test_the_provider_is_asked_for_the_amount_due_or_not_at_all() -> None:
    store = shop()
    store.gift_cards["GIFT-0002"] = gift_card("15.00")
    payments = FakePayments()
    deps = ordering_deps(store, FakeStock(available={"SHIRT-M": 9}), payments)
    part = (await check_out(checkout(gift_card_codes=("GIFT-0002",)), deps)).value
    await run_process(store, FulfilmentProcess(deps), twice=True)  # one order at a time
    store.carts[CUSTOMER] = shop().carts[CUSTOMER]
    whole = (
        await check_out(checkout("k2", gift_card_codes=("GIFT-0001",), payment_token=None), deps)
    ).value
    await run_process(store, FulfilmentProcess(deps), twice=True)
    assert payments.charges == {str(part.id): Money.of("30.00", "EUR")}  # 45.00 - 15.00
    assert store.order(part.id).status is OrderStatus.PAID
    paid_whole = store.order_events(whole.id)
    assert [type(e).__name__ for e in paid_whole][-2:] == ["PaymentSkipped", "OrderPaid"]
    assert store.order(whole.id).status is OrderStatus.PAID


async def test_a_saved_address_ships_and_bills() -> None:
    store = shop()
    saved = uuid.uuid4()
    store.addresses[(CUSTOMER, saved)] = ADDRESS
    deps = ordering_deps(store, FakeStock(), FakePayments())
    placed = (
        await check_out(checkout(shipping_address=None, shipping_address_id=saved), deps)
    ).value
    assert placed.shipping_address == ADDRESS == placed.billing_address


async def test_a_guest_gets_a_token_once_and_a_verified_account_claims_the_order() -> None:
    store = shop()
    deps = ordering_deps(store, FakeStock(), FakePayments())
    placed = (await check_out(checkout(guest=True, email="Ada@Example.com"), deps)).value
    assert placed.guest
    assert placed.access_token is not None
    assert store.access[placed.id] == (access_token_hash(placed.access_token), "ada@example.com")
    account = uuid.uuid4()
    with pytest.raises(EmailNotVerified):
        await claim_guest_orders(
            ClaimGuestOrders(customer_id=account, email="ada@example.com", email_verified=False),
            deps,
        )
    claim = ClaimGuestOrders(customer_id=account, email="ada@example.com", email_verified=True)
    [claimed] = await claim_guest_orders(claim, deps)
    assert (claimed.id, claimed.customer_id, claimed.guest) == (placed.id, account, False)
    assert await claim_guest_orders(claim, deps) == []  # nothing left to claim
