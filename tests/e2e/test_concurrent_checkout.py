"""50 customers check out at once for a product with 10 units."""

import asyncio
from collections import Counter

from tests.support.shop import OrderingShop, bearer


async def test_fifty_checkouts_for_ten_units_pay_exactly_ten_and_strand_none(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    teapot = await shop.stocked_product(10)
    customers = [await shop.customer() for _ in range(50)]
    await asyncio.gather(*(shop.fill_cart(c, teapot["sku"], 1) for c in customers))

    answers = await asyncio.gather(*(shop.check_out(c) for c in customers))
    assert [a.status_code for a in answers] == [201] * 50
    finals = await asyncio.gather(
        *(
            shop.wait_status(c, a.json()["id"], "paid", "rejected", seconds=60)
            for c, a in zip(customers, answers, strict=True)
        )
    )
    outcome = Counter(order["status"] for order in finals)
    assert outcome == {"paid": 10, "rejected": 40}
    reasons = {order["cancel_reason"] for order in finals if order["status"] == "rejected"}
    assert reasons == {f"not enough stock of {teapot['sku']}: 1 wanted, 0 left"}
    stock = await shop.client.get(f"/api/v1/inventory/{teapot['sku']}", headers=bearer(shop.staff))
    totals = {k: stock.json()[k] for k in ("on_hand", "reserved", "available")}
    assert totals == {"on_hand": 10, "reserved": 10, "available": 0}
    assert len(shop.provider.charges) == 10
