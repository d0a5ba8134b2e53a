"""The cart and checkout over HTTP: rules, flags, catalog prices and idempotency keys."""

import asyncio
import uuid

import asyncpg
from sqlalchemy.engine import make_url

from infrastructure.eventlog.store import stream_lock_key
from tests.support.shop import ADDRESS, OrderingShop, bearer


async def test_the_cart_holds_one_currency_and_refuses_a_product_without_a_price_in_it(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    mug = await shop.stocked_product(5, price="4.50")
    usd = await shop.product(shop.staff, name="Import", price="3.00")
    # Its one variant is priced in dollars only (a new main price would keep the euro one).
    usd_price = await shop.client.put(
        f"/api/v1/products/{usd['id']}/variants/{usd['variants'][0]['id']}/prices",
        json={"prices": [{"amount": "3.00", "currency": "USD"}]},
        headers=bearer(shop.staff) | {"If-Match": f'"{usd["version"]}"'},
    )
    assert usd_price.status_code == 200, usd_price.text
    cart = (await shop.fill_cart(customer, mug["sku"], 2)).json()
    assert (cart["currency"], cart["item_count"]) == ("EUR", 2)
    assert [(t["amount"], t["currency"]) for t in cart["totals"]] == [("9.00", "EUR")]
    refused = await shop.client.put(
        f"/api/v1/cart/lines/{usd['sku']}", json={"quantity": 1}, headers=bearer(customer)
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "currency_mismatch")
    to_usd = await shop.client.put(
        "/api/v1/cart/currency", json={"currency": "USD"}, headers=bearer(customer)
    )
    assert (to_usd.status_code, to_usd.json()["code"]) == (422, "currency_mismatch")
    unchanged = (await shop.client.get("/api/v1/cart", headers=bearer(customer))).json()
    assert unchanged["currency"] == "EUR"
    assert unchanged["item_count"] == 2
    removed = await shop.client.delete(f"/api/v1/cart/lines/{mug['sku']}", headers=bearer(customer))
    assert removed.json()["lines"] == []
    missing = await shop.client.delete(f"/api/v1/cart/lines/{mug['sku']}", headers=bearer(customer))
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_in_cart"
    emptied = await shop.client.put(
        "/api/v1/cart/currency", json={"currency": "USD"}, headers=bearer(customer)
    )
    assert emptied.status_code == 200
    assert emptied.json()["currency"] == "USD"
    cart = (await shop.fill_cart(customer, usd["sku"], 1)).json()
    assert [(t["amount"], t["currency"]) for t in cart["totals"]] == [("3.00", "USD")]
    assert cart["breakdown"]["total"] == {"amount": "3.00", "currency": "USD"}
    cleared = await shop.client.delete("/api/v1/cart", headers=bearer(customer))
    assert cleared.json()["lines"] == []


async def test_the_cart_refuses_bad_quantities_unknown_and_unpublished_products(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    mug = await shop.stocked_product(5)
    draft = await shop.product(shop.staff, name="Draft", publish=False)
    for quantity in (0, 1000, "two"):
        bad = await shop.client.put(
            f"/api/v1/cart/lines/{mug['sku']}",
            json={"quantity": quantity},
            headers=bearer(customer),
        )
        assert bad.status_code == 422
    unknown = await shop.client.put(
        "/api/v1/cart/lines/NO-SUCH-SKU", json={"quantity": 1}, headers=bearer(customer)
    )
    assert unknown.json()["code"] == "unknown_product"
    unpublished = await shop.client.put(
        f"/api/v1/cart/lines/{draft['sku']}", json={"quantity": 1}, headers=bearer(customer)
    )
    assert (unpublished.status_code, unpublished.json()["code"]) == (409, "product_unavailable")
    staff_cart = await shop.client.get("/api/v1/cart", headers=bearer(shop.staff))
    assert staff_cart.status_code == 403
    anonymous = await shop.client.get("/api/v1/cart")
    assert anonymous.status_code == 401


async def test_repriced_and_archived_products_are_flagged_and_hold_up_checkout(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    mug = await shop.stocked_product(5, price="4.50")
    await shop.fill_cart(customer, mug["sku"], 2)
    repriced = await shop.client.put(
        f"/api/v1/products/{mug['id']}/price",
        json={"amount": "5.00", "currency": "EUR"},
        headers=bearer(shop.staff) | {"If-Match": f'"{mug["version"]}"'},
    )
    assert repriced.status_code == 200, repriced.text
    cart = (await shop.client.get("/api/v1/cart", headers=bearer(customer))).json()
    [line] = cart["lines"]
    assert line["price_changed"] is True
    assert line["unit_price"]["amount"] == "5.00"
    assert line["confirmed_price"]["amount"] == "4.50"
    assert cart["ready_for_checkout"] is False
    refused = await shop.check_out(customer)
    assert (refused.status_code, refused.json()["code"]) == (409, "cart_needs_review")

    confirmed = (await shop.fill_cart(customer, mug["sku"], 2)).json()
    assert confirmed["ready_for_checkout"] is True
    archived = await shop.client.post(
        f"/api/v1/products/{mug['id']}/archive", headers=bearer(shop.staff)
    )
    assert archived.status_code == 200
    cart = (await shop.client.get("/api/v1/cart", headers=bearer(customer))).json()
    assert cart["lines"][0]["available"] is False
    assert cart["totals"] == []
    assert (await shop.check_out(customer)).json()["code"] == "cart_needs_review"


async def test_checkout_prices_from_the_catalog_and_refuses_client_prices(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    mug = await shop.stocked_product(5, price="4.50")
    await shop.fill_cart(customer, mug["sku"], 3)
    forged = await shop.client.post(
        "/api/v1/checkout",
        json={"shipping_address": ADDRESS, "payment_token": "tok_approve", "total": "0.01"},
        headers=bearer(customer) | {"Idempotency-Key": "k-forged"},
    )
    assert forged.status_code == 422
    bad_address = await shop.client.post(
        "/api/v1/checkout",
        json={"shipping_address": ADDRESS | {"country": "France"}, "payment_token": "tok_approve"},
        headers=bearer(customer) | {"Idempotency-Key": "k-address"},
    )
    assert bad_address.status_code == 422
    assert bad_address.json()["errors"][0]["field"] == "shipping_address.country"
    order = (await shop.check_out(customer)).json()
    assert order["total"] == {"amount": "13.50", "currency": "EUR"}
    assert order["lines"][0]["unit_price"] == {"amount": "4.50", "currency": "EUR"}
    empty = await shop.check_out(customer)
    assert (empty.status_code, empty.json()["code"]) == (409, "cart_empty")


async def test_an_idempotency_key_is_required_and_replays_the_first_response(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    mug = await shop.stocked_product(5)
    await shop.fill_cart(customer, mug["sku"], 1)
    missing = await shop.client.post(
        "/api/v1/checkout",
        json={"shipping_address": ADDRESS, "payment_token": "tok_approve"},
        headers=bearer(customer),
    )
    assert (missing.status_code, missing.json()["code"]) == (400, "idempotency_key_required")

    first = await shop.check_out(customer, key="order-1")
    again = await shop.check_out(customer, key="order-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    listed = (await shop.client.get("/api/v1/orders", headers=bearer(customer))).json()
    await shop.wait_status(customer, first.json()["id"], "paid")
    listed = (await shop.client.get("/api/v1/orders", headers=bearer(customer))).json()
    assert [o["id"] for o in listed["items"]] == [first.json()["id"]]

    other_body = await shop.check_out(customer, key="order-1", payment_token="tok_decline")
    assert (other_body.status_code, other_body.json()["code"]) == (422, "idempotency_key_reused")
    # Keys are scoped to the caller: another customer's "order-1" is another key.
    someone = await shop.customer()
    await shop.fill_cart(someone, mug["sku"], 1)
    assert (await shop.check_out(someone, key="order-1")).status_code == 201


async def test_a_failed_checkout_stores_nothing_and_its_key_can_be_retried(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    mug = await shop.stocked_product(5)
    failed = await shop.check_out(customer, key="retry-me")
    assert failed.json()["code"] == "cart_empty"
    await shop.fill_cart(customer, mug["sku"], 1)
    retried = await shop.check_out(customer, key="retry-me")
    assert retried.status_code == 201, retried.text


async def test_a_duplicate_while_the_first_is_running_is_told_to_wait(
    ordering_shop: OrderingShop, database_url: str
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    me = (await shop.client.get("/api/v1/users/me", headers=bearer(customer))).json()
    mug = await shop.stocked_product(5)
    await shop.fill_cart(customer, mug["sku"], 1)
    # Hold the key's lock as the first request's transaction does while it runs.
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    holder = await asyncpg.connect(dsn)
    try:
        await holder.execute(
            "SELECT pg_advisory_lock($1)", stream_lock_key(f"idempotency:{me['id']}:busy-key")
        )
        running = await shop.check_out(customer, key="busy-key")
        assert (running.status_code, running.json()["code"]) == (409, "idempotency_key_in_use")
    finally:
        await holder.close()
    assert (await shop.check_out(customer, key="busy-key")).status_code == 201


async def test_concurrent_duplicates_place_one_order(ordering_shop: OrderingShop) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    mug = await shop.stocked_product(5)
    await shop.fill_cart(customer, mug["sku"], 1)
    key = uuid.uuid4().hex
    answers = await asyncio.gather(*(shop.check_out(customer, key=key) for _ in range(5)))
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    ids = {a.json()["id"] for a in answers if a.status_code == 201}
    assert len(ids) == 1
    listed = (await shop.client.get("/api/v1/orders", headers=bearer(customer))).json()
    for _ in range(100):
        if listed["items"]:
            break
        await asyncio.sleep(0.05)
        listed = (await shop.client.get("/api/v1/orders", headers=bearer(customer))).json()
    assert [o["id"] for o in listed["items"]] == list(ids)
