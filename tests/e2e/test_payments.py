"""Payment outcomes end where they should, with stock released; provider callbacks are signed;
an unpaid order is cancelled when its time runs out."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infrastructure.http.signatures import sign
from tests.support.shop import WEBHOOK_SECRET, OrderingShop, OrderingShopFactory, bearer


async def stock_of(shop: OrderingShop, sku: str) -> dict[str, Any]:
    response = await shop.client.get(f"/api/v1/inventory/{sku}", headers=bearer(shop.staff))
    return dict(response.json())


async def released(shop: OrderingShop, sku: str) -> dict[str, Any]:
    """Wait for the process to give the order's units back."""
    for _ in range(200):
        stock = await stock_of(shop, sku)
        if stock["reserved"] == 0:
            return stock
        await asyncio.sleep(0.05)
    raise AssertionError(f"stock of {sku} was never released: {stock}")


async def order_with(shop: OrderingShop, payment_token: str) -> tuple[str, str, str]:
    customer = await shop.customer()
    teapot = await shop.stocked_product(3)
    await shop.fill_cart(customer, teapot["sku"], 2)
    placed = await shop.check_out(customer, payment_token=payment_token)
    assert placed.status_code == 201, placed.text
    return customer, placed.json()["id"], teapot["sku"]


@pytest.mark.parametrize(
    ("token", "reason"),
    [("tok_decline", "payment declined: card declined"), ("tok_timeout", "payment failed: ")],
)
async def test_a_declined_or_unanswered_payment_cancels_the_order_and_releases_stock(
    ordering_shop: OrderingShop, token: str, reason: str
) -> None:
    shop = ordering_shop
    customer, order_id, sku = await order_with(shop, token)
    cancelled = await shop.wait_status(customer, order_id, "cancelled")
    assert cancelled["cancel_reason"].startswith(reason)
    assert cancelled["payment_reference"] is None
    stock = await released(shop, sku)
    totals = {k: stock[k] for k in ("on_hand", "reserved", "available")}
    assert totals == {"on_hand": 3, "reserved": 0, "available": 3}
    assert order_id not in shop.provider.charges


async def test_a_flaky_provider_is_retried_to_a_single_charge(ordering_shop: OrderingShop) -> None:
    shop = ordering_shop
    customer, order_id, _ = await order_with(shop, "tok_flaky")
    paid = await shop.wait_status(customer, order_id, "paid")
    assert shop.provider.attempts[order_id] == 3
    assert paid["payment_reference"] == shop.provider.charges[order_id].payment_reference
    assert list(shop.provider.charges) == [order_id]


async def test_no_stock_rejects_the_order_with_its_reason(ordering_shop: OrderingShop) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    teapot = await shop.stocked_product(1)
    await shop.fill_cart(customer, teapot["sku"], 2)
    order_id = (await shop.check_out(customer)).json()["id"]
    rejected = await shop.wait_status(customer, order_id, "rejected")
    assert "2 wanted, 1 left" in rejected["cancel_reason"]
    assert (await stock_of(shop, teapot["sku"]))["available"] == 1


def callback(kind: str, order_id: str, **data: Any) -> bytes:
    return json.dumps({"type": kind, "data": {"reference": order_id} | data}).encode()


async def post_callback(
    shop: OrderingShop, body: bytes, *, at: datetime | None = None, secret: str = WEBHOOK_SECRET
) -> Any:
    signature = sign(secret, body, at=at or datetime.now(UTC))
    return await shop.client.post(
        "/api/v1/payments/webhook",
        content=body,
        headers={"Agora-Signature": signature, "Content-Type": "application/json"},
    )


async def test_a_pending_payment_is_settled_by_a_signed_callback_once(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer, order_id, _ = await order_with(shop, "tok_pending")
    waiting = await shop.wait_status(customer, order_id, "awaiting_payment")
    body = callback(
        "payment.authorized",
        order_id,
        payment_reference="pay_async_1",
        amount=waiting["total"]["amount"],
        currency="EUR",
    )

    stale = await post_callback(shop, body, at=datetime.now(UTC) - timedelta(minutes=10))
    tampered = await post_callback(shop, body.replace(b"pay_async_1", b"pay_evil"), secret="guess")
    unsigned = await shop.client.post("/api/v1/payments/webhook", content=body)
    for refused in (stale, tampered, unsigned):
        assert (refused.status_code, refused.json()["code"]) == (401, "invalid_signature")
    assert (await shop.order(customer, order_id)).json()["status"] == "awaiting_payment"

    first = await post_callback(shop, body)
    duplicate = await post_callback(shop, body)
    assert first.json() == duplicate.json() == {"status": "applied"}
    paid = await shop.wait_status(customer, order_id, "paid")
    assert paid["payment_reference"] == "pay_async_1"
    timeline = await shop.client.get(
        f"/api/v1/orders/{order_id}/timeline", headers=bearer(customer)
    )
    kinds = [e["event_type"] for e in timeline.json()["items"]]
    assert kinds.count("PaymentAuthorized") == 1

    unknown = await post_callback(
        shop, callback("payment.declined", "00000000-0000-0000-0000-000000000000")
    )
    assert unknown.json() == {"status": "ignored"}
    garbage = await post_callback(shop, b'{"type": "refund.created"}')
    assert (garbage.status_code, garbage.json()["code"]) == (400, "invalid_webhook_payload")


async def test_a_declined_callback_cancels_and_releases(ordering_shop: OrderingShop) -> None:
    shop = ordering_shop
    customer, order_id, sku = await order_with(shop, "tok_pending")
    await shop.wait_status(customer, order_id, "awaiting_payment")
    answer = await post_callback(
        shop, callback("payment.declined", order_id, reason="insufficient funds")
    )
    assert answer.json() == {"status": "applied"}
    cancelled = await shop.wait_status(customer, order_id, "cancelled")
    assert cancelled["cancel_reason"] == "payment declined: insufficient funds"
    assert (await released(shop, sku))["available"] == 3


async def test_an_order_unpaid_past_the_timeout_is_cancelled_and_its_stock_released(
    ordering_shop_factory: OrderingShopFactory,
) -> None:
    async with ordering_shop_factory(ordering={"payment_timeout_seconds": 1}) as shop:
        customer, order_id, sku = await order_with(shop, "tok_pending")
        await shop.wait_status(customer, order_id, "awaiting_payment")
        cancelled = await shop.wait_status(customer, order_id, "cancelled")
        assert cancelled["cancel_reason"] == "payment not received within 1 s"
        assert (await released(shop, sku))["available"] == 3


async def test_a_charge_whose_answer_was_lost_is_voided_when_the_order_is_cancelled(
    ordering_shop_factory: OrderingShopFactory,
) -> None:
    # One attempt only: tok_flaky charges on it and the answer never arrives.
    async with ordering_shop_factory(payments={"max_attempts": 1}) as shop:
        customer, order_id, sku = await order_with(shop, "tok_flaky")
        cancelled = await shop.wait_status(customer, order_id, "cancelled")
        assert cancelled["cancel_reason"].startswith("payment failed: ")
        for _ in range(200):
            if shop.provider.charges[order_id].voided:
                break
            await asyncio.sleep(0.05)
        assert shop.provider.charges[order_id].voided
        assert (await released(shop, sku))["available"] == 3
