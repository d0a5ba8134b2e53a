"""Customers race for what checkout spends in its transaction: a coupon limited to 10 uses, one
gift card, the last units of a variant. Exactly the limit is taken, a card never goes below
zero and its movements add up, no unit is sold twice; the losers are told why and keep their
carts."""

import asyncio
from collections import Counter
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.checkout import check_out, coupon, gift_card, tshirt, with_taxes_and_shipping
from tests.support.shop import OrderingShop, bearer


async def customers_with(shop: OrderingShop, sku: str, count: int) -> list[str]:
    customers = [await shop.customer() for _ in range(count)]
    await asyncio.gather(*(shop.fill_cart(c, sku, 1) for c in customers))
    return customers


async def test_fifty_checkouts_with_a_coupon_for_ten_uses_give_exactly_ten(
    ordering_shop: OrderingShop, engine: AsyncEngine
) -> None:
    shop = ordering_shop
    await with_taxes_and_shipping(shop)
    product = await tshirt(shop, price="30.00", units=100)
    await coupon(shop, "TEN-ONLY", amount="5.00", usage_limit=10)
    sku = product["variants"][1]["sku"]
    customers = await customers_with(shop, sku, 50)

    answers = await asyncio.gather(
        *(check_out(shop, c, coupon_codes=["TEN-ONLY"]) for c in customers)
    )
    outcome = Counter((a.status_code, a.json().get("code")) for a in answers)
    assert outcome == {(201, None): 10, (409, "coupon_used_up"): 40}
    placed = [a.json() for a in answers if a.status_code == 201]
    assert all(o["breakdown"]["coupons_applied"] == ["TEN-ONLY"] for o in placed)
    async with engine.connect() as conn:
        uses = (
            await conn.execute(text("SELECT uses FROM coupons WHERE code = 'TEN-ONLY'"))
        ).scalar()
        redeemed = (await conn.execute(text("SELECT count(*) FROM coupon_redemptions"))).scalar()
    assert (uses, redeemed) == (10, 10)
    refused = [c for c, a in zip(customers, answers, strict=True) if a.status_code != 201]
    cart = (await shop.client.get("/api/v1/cart", headers=bearer(refused[0]))).json()
    assert cart["item_count"] == 1  # told why, and still holding the cart


async def test_checkouts_racing_for_one_gift_card_never_take_it_below_zero(
    ordering_shop: OrderingShop, engine: AsyncEngine
) -> None:
    """Each order wants 34.90 of a 100.00 card (30.00 + 4.90 shipping), priced with the
    balance it read: a debit the card no longer covers is refused with its order; one
    priced afterwards takes what is left and pays the rest."""
    shop = ordering_shop
    await with_taxes_and_shipping(shop)
    product = await tshirt(shop, price="30.00", units=100)
    card = await gift_card(shop, "100.00")
    customers = await customers_with(shop, product["variants"][1]["sku"], 12)

    answers = await asyncio.gather(*(check_out(shop, c, gift_card_codes=[card]) for c in customers))
    placed = [a.json() for a in answers if a.status_code == 201]
    refusals = Counter(a.json()["code"] for a in answers if a.status_code != 201)
    assert set(refusals) <= {"gift_card_balance_too_low", "gift_card_not_usable"}
    paid_by_card = sum(Decimal(o["breakdown"]["gift_card_total"]["amount"]) for o in placed)
    async with engine.connect() as conn:
        balance = (await conn.execute(text("SELECT balance FROM gift_cards"))).scalar()
        movements = (
            await conn.execute(text("SELECT sum(amount) FROM gift_card_movements"))
        ).scalar()
    assert balance is not None
    assert balance >= 0
    assert balance == Decimal("100.00") - paid_by_card == movements
    assert placed
    assert refusals  # 12 x 34.90 is more than the card holds
    assert len(placed) + sum(refusals.values()) == 12

    late = (await customers_with(shop, product["variants"][1]["sku"], 1))[0]
    rest = await check_out(shop, late, gift_card_codes=[card])
    assert rest.status_code == 201, rest.text
    assert Decimal(rest.json()["breakdown"]["gift_card_total"]["amount"]) == balance
    assert Decimal(rest.json()["amount_due"]["amount"]) == Decimal("34.90") - balance


async def test_the_last_units_of_a_variant_are_sold_once(ordering_shop: OrderingShop) -> None:
    shop = ordering_shop
    await with_taxes_and_shipping(shop)
    product = await tshirt(shop, price="30.00", units=3)
    sku = product["variants"][1]["sku"]
    customers = await customers_with(shop, sku, 20)

    answers = await asyncio.gather(*(check_out(shop, c) for c in customers))
    assert [a.status_code for a in answers] == [201] * 20
    finals = await asyncio.gather(
        *(
            shop.wait_status(c, a.json()["id"], "paid", "rejected", seconds=60)
            for c, a in zip(customers, answers, strict=True)
        )
    )
    assert Counter(o["status"] for o in finals) == {"paid": 3, "rejected": 17}
    stock = await shop.client.get(f"/api/v1/inventory/{sku}", headers=bearer(shop.staff))
    assert (stock.json()["reserved"], stock.json()["available"]) == (3, 0)
