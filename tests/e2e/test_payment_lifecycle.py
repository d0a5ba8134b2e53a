"""The payment's lifecycle over HTTP (ADR 0037): authorised at checkout, captured as the order
ships, voided when cancelled before, refunded in parts (never beyond the capture) by staff."""

import uuid

from tests.e2e.test_order_actions import act, paid_order
from tests.e2e.test_payments import callback, post_callback
from tests.support.shop import OrderingShop, bearer

EUR = "EUR"


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": EUR}


async def test_shipping_captures_and_staff_refund_in_parts_once_per_key(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    order_id, _ = await paid_order(shop, customer, units=2)  # 25.00 authorised
    view = (await shop.order(customer, order_id)).json()
    assert (view["captured_amount"], view["refunded_amount"]) == (money("0.00"), money("0.00"))
    assert (await act(shop, shop.staff, order_id, "ship", tracking_number="T-9")).status_code == 200
    await shop.wait_for(customer, order_id, lambda o: o["captured_amount"] == money("25.00"))

    url = f"/api/v1/orders/{order_id}/refunds"
    key = bearer(shop.staff) | {"Idempotency-Key": "part-1"}
    body = {
        "reason": "one teapot cracked",
        "amount": money("12.50"),
        "lines": [{"sku": "X", "quantity": 1}],
    }
    part = await shop.client.post(url, json=body, headers=key)
    assert part.status_code == 201, part.text
    again = await shop.client.post(url, json=body, headers=key)
    assert again.json()["refunds"] == part.json()["refunds"]  # one refund for one key
    assert (part.json()["status"], part.json()["refunded_amount"]) == ("shipped", money("12.50"))

    too_much = await shop.client.post(
        url,
        json={"reason": "x", "amount": money("12.51")},
        headers=bearer(shop.staff) | {"Idempotency-Key": "part-2"},
    )
    assert (too_much.status_code, too_much.json()["code"]) == (409, "refund_exceeds_captured")
    rest = await shop.client.post(
        url, json={"reason": "goodwill"}, headers=bearer(shop.staff) | {"Idempotency-Key": "p3"}
    )
    assert (rest.json()["status"], rest.json()["refunded_amount"]) == ("refunded", money("25.00"))
    asked = [amount for key, amount in shop.provider.refund_log if key.startswith("refund-")]
    assert [str(a.amount) for a in asked[-2:]] == ["12.50", "12.50"]

    await shop.wait_status(customer, order_id, "refunded")
    timeline = (
        await shop.client.get(f"/api/v1/orders/{order_id}/timeline", headers=bearer(customer))
    ).json()["items"]
    summaries = [e["summary"] for e in timeline]
    assert any(s.startswith("Payment of 25.00 EUR captured") for s in summaries)
    assert "Refunded 12.50 EUR: one teapot cracked" in summaries
    assert "Refunded 12.50 EUR (all of the payment): goodwill" in summaries


async def test_cancelling_before_capture_voids_and_leaves_nothing_to_refund(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    order_id, _ = await paid_order(shop, customer)
    cancelled = await act(shop, customer, order_id, "cancel", reason="changed my mind")
    assert cancelled.status_code == 200
    await shop.wait_for(customer, order_id, lambda o: o["version"] >= 6)
    timeline = (
        await shop.client.get(f"/api/v1/orders/{order_id}/timeline", headers=bearer(customer))
    ).json()["items"]
    assert timeline[-1]["event_type"] == "PaymentVoided"
    assert shop.provider.charges[order_id].voided
    refund = await shop.client.post(
        f"/api/v1/orders/{order_id}/refunds",
        json={"reason": "x"},
        headers=bearer(shop.staff) | {"Idempotency-Key": uuid.uuid4().hex},
    )
    assert (refund.status_code, refund.json()["code"]) == (409, "nothing_captured")
    denied = await act(shop, customer, order_id, "capture")
    assert denied.status_code == 403


async def test_the_provider_reports_a_capture_by_signed_callback(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    order_id, _ = await paid_order(shop, customer)
    body = callback("payment.captured", order_id, capture_reference="cap_dashboard")
    for _ in range(2):  # a duplicate changes nothing
        answer = await post_callback(shop, body)
        assert answer.json() == {"status": "applied"}
    view = await shop.wait_for(customer, order_id, lambda o: o["captured_amount"] != money("0.00"))
    assert view["captured_amount"] == money("12.50")
    bad = await post_callback(
        shop, callback("payment.refunded", order_id, refund_key="nope", refund_reference="r")
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_webhook_payload")
