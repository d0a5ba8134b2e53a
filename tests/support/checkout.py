"""A shop whose checkout prices with every rule: the demo's taxes and shipping (DE 19 % VAT,
euro prices tax-inclusive, standard parcel 4.90 up to 2 kg, free from 50.00), a T-shirt in
variants, promotions and coupons, gift cards; all made through the commands staff send."""

import uuid
from decimal import Decimal
from typing import Any

from agora.seed import seed_taxes_and_shipping
from application.gift_cards.commands import IssueGiftCard
from application.promotions.commands import AddCoupon, CreatePromotion, PromotionSpec
from tests.support.shop import OrderingShop, a_sku, bearer

DE_ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "Unter den Linden 1",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "DE",
}
STAFF_ID = uuid.uuid4()  # who the commands name as acting


async def with_taxes_and_shipping(shop: OrderingShop) -> None:
    await seed_taxes_and_shipping(shop.services.bus)


async def tshirt(shop: OrderingShop, *, price: str, units: int) -> dict[str, Any]:
    """A T-shirt whose default variant is S and whose M variant costs `price`, 180 g, with
    `units` in stock; returns the product with its variants."""
    created = await shop.client.post(
        "/api/v1/products",
        json={
            "sku": a_sku("TEE"),
            "name": "T-shirt",
            "price": {"amount": price, "currency": "EUR"},
            "options": [{"name": "size", "values": ["S", "M"]}],
            "tax_category": "standard",
        },
        headers=bearer(shop.staff),
    )
    assert created.status_code == 201, created.text
    product = created.json()
    added = await shop.client.post(
        f"/api/v1/products/{product['id']}/variants",
        json={
            "sku": a_sku("TEE"),
            "options": {"size": "M"},
            "prices": [{"amount": price, "currency": "EUR"}],
            "weight_grams": 180,
        },
        headers=bearer(shop.staff) | {"If-Match": f'"{product["version"]}"'},
    )
    assert added.status_code == 201, added.text
    published = await shop.client.post(
        f"/api/v1/products/{product['id']}/publish", headers=bearer(shop.staff)
    )
    assert published.status_code == 200, published.text
    medium = added.json()["variants"][1]
    received = await shop.client.post(
        f"/api/v1/inventory/{medium['sku']}/receipts",
        json={"quantity": units},
        headers=bearer(shop.staff),
    )
    assert received.status_code == 200, received.text
    return dict(added.json())


async def promotion(shop: OrderingShop, **terms: Any) -> uuid.UUID:
    spec = PromotionSpec(**terms)
    created = await shop.services.bus.handle(CreatePromotion(spec=spec, actor_id=STAFF_ID))
    return created.id


async def coupon(
    shop: OrderingShop, code: str, *, amount: str, usage_limit: int | None = None
) -> None:
    """A coupon-only promotion: `amount` EUR off the order, under `code`."""
    promotion_id = await promotion(
        shop,
        name=f"{amount} off with {code}",
        kind="fixed",
        target="order",
        amount=Decimal(amount),
        currency="EUR",
    )
    await shop.services.bus.handle(
        AddCoupon(
            promotion_id=promotion_id,
            code=code,
            usage_limit=usage_limit,
            per_customer_limit=None,
            actor_id=STAFF_ID,
        )
    )


async def gift_card(shop: OrderingShop, amount: str) -> str:
    """A new card's code."""
    issued = await shop.services.bus.handle(
        IssueGiftCard(amount=amount, currency="EUR", actor_id=STAFF_ID)
    )
    return issued.code


async def check_out(shop: OrderingShop, token: str, *, key: str | None = None, **body: Any) -> Any:
    fields = {"shipping_address": DE_ADDRESS, "shipping_method": "standard"}
    return await shop.client.post(
        "/api/v1/checkout",
        json=fields | {"payment_token": "tok_approve"} | body,
        headers=bearer(token) | {"Idempotency-Key": key or uuid.uuid4().hex},
    )
