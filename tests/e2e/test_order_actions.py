"""What customers and staff may do to orders, and what the state machine refuses."""

import asyncio
import uuid
from collections.abc import Awaitable

import httpx

from tests.support.shop import OrderingShop, bearer


async def paid_order(shop: OrderingShop, customer: str, units: int = 1) -> tuple[str, str]:
    teapot = await shop.stocked_product(5)
    await shop.fill_cart(customer, teapot["sku"], units)
    order_id = (await shop.check_out(customer)).json()["id"]
    await shop.wait_status(customer, order_id, "paid")
    return order_id, teapot["sku"]


async def act(
    shop: OrderingShop, token: str, order_id: str, action: str, **body: object
) -> httpx.Response:
    headers = bearer(token) | {"Idempotency-Key": uuid.uuid4().hex}
    return await shop.client.post(
        f"/api/v1/orders/{order_id}/{action}", json=body or None, headers=headers
    )


async def test_illegal_transitions_answer_409_with_their_own_code(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    teapot = await shop.stocked_product(5)
    await shop.fill_cart(customer, teapot["sku"], 1)
    unpaid = (await shop.check_out(customer, payment_token="tok_pending")).json()["id"]
    await shop.wait_status(customer, unpaid, "awaiting_payment")
    ship_unpaid = await act(shop, shop.staff, unpaid, "ship", tracking_number="T-1")
    assert (ship_unpaid.status_code, ship_unpaid.json()["code"]) == (409, "order_not_paid")
    deliver_unpaid = await act(shop, shop.staff, unpaid, "deliver")
    assert deliver_unpaid.json()["code"] == "order_not_shipped"
    refund_unpaid = await act(shop, shop.staff, unpaid, "refund", reason="x")
    assert refund_unpaid.json()["code"] == "order_not_refundable"

    order_id, _ = await paid_order(shop, customer)
    assert (await act(shop, shop.staff, order_id, "ship", tracking_number="T-2")).status_code == 200
    cancel_shipped = await act(shop, customer, order_id, "cancel", reason="too late")
    assert (cancel_shipped.status_code, cancel_shipped.json()["code"]) == (
        409,
        "order_already_shipped",
    )

    refundable, _ = await paid_order(shop, customer)
    early = await act(shop, shop.staff, refundable, "refund", reason="damaged")
    assert (early.status_code, early.json()["code"]) == (409, "nothing_captured")
    assert (await act(shop, shop.staff, refundable, "capture")).status_code == 200
    first = await act(shop, shop.staff, refundable, "refund", reason="damaged")
    assert first.status_code == 200
    assert first.json()["status"] == "refunded"
    twice = await act(shop, shop.staff, refundable, "refund", reason="again")
    assert (twice.status_code, twice.json()["code"]) == (409, "order_already_refunded")
    (refund,) = first.json()["refunds"]
    assert shop.provider.refund_attempts == {f"refund-{refund['refund_id']}": 1}


async def test_a_customer_cancels_a_captured_order_and_staff_refund_it(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    order_id, sku = await paid_order(shop, customer, units=2)
    assert (await act(shop, shop.staff, order_id, "capture")).json()["captured_amount"] == {
        "amount": "25.00",
        "currency": "EUR",
    }
    key = {"Idempotency-Key": "cancel-1"}
    cancelled = await shop.client.post(
        f"/api/v1/orders/{order_id}/cancel",
        json={"reason": "ordered by mistake"},
        headers=bearer(customer) | key,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    replayed = await shop.client.post(
        f"/api/v1/orders/{order_id}/cancel",
        json={"reason": "ordered by mistake"},
        headers=bearer(customer) | key,
    )
    assert replayed.json() == cancelled.json()
    assert replayed.headers["Idempotent-Replayed"] == "true"
    no_key = await shop.client.post(
        f"/api/v1/orders/{order_id}/cancel", json={"reason": "x"}, headers=bearer(customer)
    )
    assert no_key.json()["code"] == "idempotency_key_required"

    await shop.wait_status(customer, order_id, "cancelled")  # the staff list is a read model
    waiting = await shop.client.get(
        "/api/v1/staff/orders?awaiting_refund=true", headers=bearer(shop.staff)
    )
    assert order_id in [o["id"] for o in waiting.json()["items"]]
    refunded = await act(shop, shop.staff, order_id, "refund", reason="cancelled after payment")
    assert refunded.json()["status"] == "refunded"
    for _ in range(200):
        stock = (
            await shop.client.get(f"/api/v1/inventory/{sku}", headers=bearer(shop.staff))
        ).json()
        if stock["reserved"] == 0:
            break
        await asyncio.sleep(0.05)
    assert stock["available"] == 5
    await shop.wait_status(customer, order_id, "refunded")
    timeline = (
        await shop.client.get(f"/api/v1/orders/{order_id}/timeline", headers=bearer(customer))
    ).json()["items"]
    me = (await shop.client.get("/api/v1/users/me", headers=bearer(customer))).json()["id"]
    staff = (await shop.client.get("/api/v1/users/me", headers=bearer(shop.staff))).json()["id"]
    settled = await shop.client.get(
        "/api/v1/staff/orders?awaiting_refund=true", headers=bearer(shop.staff)
    )
    assert order_id not in [o["id"] for o in settled.json()["items"]]
    actors = {e["event_type"]: e["actor_id"] for e in timeline}
    assert actors["OrderCancelled"] == me
    assert actors["RefundIssued"] == staff
    assert actors["OrderPaid"] is None  # the shop itself


async def test_customers_never_ship_refund_or_see_anothers_order(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    owner, stranger = await shop.customer(), await shop.customer()
    order_id, _ = await paid_order(shop, owner)
    for action, body in (("ship", {"tracking_number": "T"}), ("refund", {"reason": "x"})):
        denied = await act(shop, owner, order_id, action, **body)
        assert (denied.status_code, denied.json()["code"]) == (403, "permission_denied")
    for path in (f"/api/v1/orders/{order_id}", f"/api/v1/orders/{order_id}/timeline"):
        hidden = await shop.client.get(path, headers=bearer(stranger))
        assert (hidden.status_code, hidden.json()["code"]) == (404, "order_not_found")
    cancel = await act(shop, stranger, order_id, "cancel", reason="mischief")
    assert (cancel.status_code, cancel.json()["code"]) == (404, "order_not_found")
    assert (await shop.order(owner, order_id)).json()["status"] == "paid"
    assert (await shop.client.get(f"/api/v1/orders/{order_id}")).status_code == 401
    search = await shop.client.get("/api/v1/staff/orders", headers=bearer(owner))
    assert search.status_code == 403


async def test_customers_page_through_their_orders_and_staff_search_all(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer, other = await shop.customer(), await shop.customer()
    teapot = await shop.stocked_product(20)
    mine = []
    for token in ("tok_approve", "tok_approve", "tok_decline"):
        await shop.fill_cart(customer, teapot["sku"], 1)
        mine.append((await shop.check_out(customer, payment_token=token)).json()["id"])
    await shop.fill_cart(other, teapot["sku"], 4)
    theirs = (await shop.check_out(other)).json()["id"]
    for order_id in mine:
        await shop.wait_status(customer, order_id, "paid", "cancelled")
    await shop.wait_status(other, theirs, "paid")

    first = (await shop.client.get("/api/v1/orders?limit=2", headers=bearer(customer))).json()
    second = (
        await shop.client.get(
            f"/api/v1/orders?limit=2&cursor={first['next_cursor']}", headers=bearer(customer)
        )
    ).json()
    assert [o["id"] for o in first["items"] + second["items"]] == mine[::-1]
    assert second["next_cursor"] is None
    paid_only = (
        await shop.client.get("/api/v1/orders?status=paid", headers=bearer(customer))
    ).json()
    assert {o["id"] for o in paid_only["items"]} == set(mine[:2])

    def search(query: str) -> Awaitable[httpx.Response]:
        return shop.client.get(f"/api/v1/staff/orders?{query}", headers=bearer(shop.staff))

    big = (await search("min_total=40&currency=EUR")).json()
    assert theirs in [o["id"] for o in big["items"]]
    assert not set(mine) & {o["id"] for o in big["items"]}
    by_customer = (await search(f"customer_id={first['items'][0]['customer_id']}")).json()
    assert {o["id"] for o in by_customer["items"]} == set(mine)
    cancelled = (await search("status=cancelled")).json()
    assert mine[2] in [o["id"] for o in cancelled["items"]]
    future = (await search("placed_from=2999-01-01T00:00:00Z")).json()
    assert future["items"] == []
    bad_cursor = await search("cursor=not-a-cursor")
    assert bad_cursor.json()["code"] == "invalid_cursor"
