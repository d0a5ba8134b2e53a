"""Checkout over HTTP with every rule of the price pipeline served by its context: a variant,
German VAT included in euro prices, standard shipping, an automatic promotion, a coupon and a
gift card; the numbers worked out by hand, the order paid for its amount due, its breakdown
shown by the order, recomputed from what it froze and told in its timeline. Refusals change
nothing. A guest's order opens with its token and is claimed by a verified account."""

import asyncio
import logging
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.bootstrap import build_registry
from agora.seed import DEMO_GIFT_CARD_CODE, DEMO_PASSWORD, DEMO_TSHIRT, seed_demo
from domain.identity.values import Role
from domain.ordering.events import OrderPlaced
from domain.ordering.pricing.pipeline import price
from domain.shared.money import Money
from infrastructure.db.statements import counting_statements
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.tables import event_log
from tests.support.checkout import (
    check_out,
    coupon,
    gift_card,
    promotion,
    tshirt,
    with_taxes_and_shipping,
)
from tests.support.servers import SseReader, served
from tests.support.shop import OrderingShop, bearer

EUR = "EUR"


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": EUR}


async def a_full_cart(shop: OrderingShop, customer: str, *, quantity: int = 2) -> dict[str, Any]:
    """Two M T-shirts at 30.00, 10 % off the T-shirt automatically, SAVE5 (5.00 off)."""
    await with_taxes_and_shipping(shop)
    product = await tshirt(shop, price="30.00", units=10)
    await promotion(
        shop,
        name="10 % off T-shirts",
        kind="percentage",
        target="products",
        percent=Decimal(10),
        product_ids=(uuid.UUID(product["id"]),),
        automatic=True,
    )
    await coupon(shop, "SAVE5", amount="5.00")
    medium = product["variants"][1]
    await shop.fill_cart(customer, medium["sku"], quantity)
    return dict(medium)


async def test_a_full_checkout_charges_the_hand_computed_breakdown(
    ordering_shop: OrderingShop, engine: AsyncEngine
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    medium = await a_full_cart(shop, customer)
    card = await gift_card(shop, "20.00")
    choices: dict[str, Any] = {"coupon_codes": ["SAVE5"], "gift_card_codes": [card]}
    quote = await shop.client.post(
        "/api/v1/cart/quote",
        json=choices | {"country": "DE", "shipping_method": "standard"},
        headers=bearer(customer),
    )
    assert quote.status_code == 200, quote.text
    assert {o["code"] for o in quote.json()["shipping_options"]} == {
        "standard",
        "express",
        "pickup",
    }

    placed = await check_out(shop, customer, **choices)
    assert placed.status_code == 201, placed.text
    order = placed.json()
    b = order["breakdown"]
    assert b == quote.json()["breakdown"]  # checkout charged what the cart showed
    # 2 x 30.00 = 60.00; 10 % off the T-shirts: 6.00; SAVE5: 5.00 -> goods 49.00 (under the
    # 50.00 that ships free); 360 g ship in the first band: 4.90; total 53.90, VAT included:
    # 49.00 x 19/119 = 7.82 and 4.90 x 19/119 = 0.78; the card pays 20.00: 33.90 is due.
    [line] = b["lines"]
    assert (line["sku"], line["name"], line["variant_id"]) == (
        medium["sku"],
        "T-shirt (M)",
        medium["id"],
    )
    assert (line["subtotal"], line["discount_total"], line["total"], line["tax"]) == (
        money("60.00"),
        money("11.00"),
        money("49.00"),
        money("7.82"),
    )
    assert [(d["name"], d["amount"]) for d in line["discounts"]] == [
        ("10 % off T-shirts", money("6.00")),
        ("5.00 off with SAVE5", money("5.00")),
    ]
    assert (b["shipping"]["code"], b["shipping"]["total"], b["shipping"]["tax"]) == (
        "standard",
        money("4.90"),
        money("0.78"),
    )
    assert [(t["name"], Decimal(t["rate"]), t["amount"]) for t in b["taxes"]] == [
        ("VAT", Decimal(19), money("8.60"))
    ]
    assert (b["prices_include_tax"], b["total"], b["gift_card_total"], b["amount_due"]) == (
        True,
        money("53.90"),
        money("20.00"),
        money("33.90"),
    )
    assert (order["total"], order["amount_due"]) == (money("53.90"), money("33.90"))
    assert b["coupons_applied"] == ["SAVE5"]
    assert [g["last_four"] for g in b["gift_cards"]] == [card[-4:]]

    paid = await shop.wait_status(customer, order["id"], "paid")
    assert paid["breakdown"] == b  # the read model shows the same numbers
    assert shop.provider.charges[order["id"]].amount == Money.of("33.90", EUR)
    timeline = await shop.client.get(
        f"/api/v1/orders/{order['id']}/timeline", headers=bearer(customer)
    )
    assert timeline.json()["items"][0]["summary"] == (
        "Order placed: 2 item(s), goods 60.00 EUR - discounts 11.00 EUR + shipping 4.90 EUR"
        " (incl. VAT 19% 8.60 EUR) = total 53.90 EUR - gift cards 20.00 EUR = due 33.90 EUR"
    )
    # The order froze its inputs: the pipeline gives the same numbers again from them.
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                event_log.select().where(
                    event_log.c.stream_id == f"order-{order['id']}",
                    event_log.c.stream_version == 1,
                )
            )
        ).one()
    event = build_registry().decode(StoredEvent.from_row(row._mapping))
    assert isinstance(event, OrderPlaced)
    assert price(event.pricing) == event.breakdown
    assert str(event.breakdown.amount_due) == "33.90 EUR"


async def test_a_gift_card_that_pays_everything_needs_no_payment_token(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    await a_full_cart(shop, customer, quantity=1)
    card = await gift_card(shop, "100.00")
    placed = await check_out(shop, customer, gift_card_codes=[card], payment_token=None)
    assert placed.status_code == 201, placed.text
    assert placed.json()["amount_due"] == money("0.00")
    paid = await shop.wait_status(customer, placed.json()["id"], "paid")
    assert paid["payment_reference"] is None
    timeline = await shop.client.get(
        f"/api/v1/orders/{paid['id']}/timeline", headers=bearer(customer)
    )
    assert [e["event_type"] for e in timeline.json()["items"]][-2:] == [
        "PaymentSkipped",
        "OrderPaid",
    ]
    assert paid["id"] not in shop.provider.charges
    refunded = await shop.client.post(
        f"/api/v1/orders/{paid['id']}/refund", json={"reason": "lost"}, headers=bearer(shop.staff)
    )
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["status"] == "refunded"
    assert shop.provider.refunds == {}  # nothing was taken, so nothing is paid back through it


async def cart_and_codes(shop: OrderingShop, engine: AsyncEngine, customer: str) -> Any:
    """What a refused checkout must leave as it was: the cart, coupon uses, cards, stock."""
    cart = (await shop.client.get("/api/v1/cart", headers=bearer(customer))).json()["lines"]
    async with engine.connect() as conn:
        uses = (await conn.execute(text("SELECT code, uses FROM coupons ORDER BY code"))).all()
        cards = (await conn.execute(text("SELECT id, balance FROM gift_cards ORDER BY id"))).all()
        stock = (await conn.execute(text("SELECT sku, reserved FROM stock_items"))).all()
        orders = (await conn.execute(text("SELECT count(*) FROM event_log"))).scalar()
    return cart, uses, sorted(cards), sorted(stock), orders


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"coupon_codes": ["NO-SUCH-CODE"]}, 422, "coupon_unknown"),
        ({"gift_card_codes": ["AAAA-BBBB-CCCC-DDDD"]}, 422, "gift_card_not_usable"),
        ({"shipping_method": "by-balloon"}, 422, "shipping_not_offered"),
        ({"shipping_method": None}, 422, "shipping_method_required"),
        ({"payment_token": None}, 422, "payment_token_required"),
    ],
)
async def test_a_refused_checkout_changes_nothing(
    ordering_shop: OrderingShop,
    engine: AsyncEngine,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    await a_full_cart(shop, customer)
    card = await gift_card(shop, "10.00")
    before = await cart_and_codes(shop, engine, customer)
    given = {"coupon_codes": ["SAVE5"], "gift_card_codes": [card]} | body
    refused = await check_out(shop, customer, **given)
    assert (refused.status_code, refused.json()["code"]) == (status, code), refused.text
    assert await cart_and_codes(shop, engine, customer) == before


async def test_an_archived_variant_or_another_currency_refuses_and_changes_nothing(
    ordering_shop: OrderingShop, engine: AsyncEngine
) -> None:
    shop = ordering_shop
    customer = await shop.customer()
    medium = await a_full_cart(shop, customer)
    product_id = (
        await shop.client.get("/api/v1/products?q=T-shirt", headers=bearer(shop.staff))
    ).json()["items"][0]["id"]
    to_usd = await shop.client.put(
        "/api/v1/cart/currency", json={"currency": "USD"}, headers=bearer(customer)
    )
    assert (to_usd.status_code, to_usd.json()["code"]) == (422, "currency_mismatch")
    archived = await shop.client.post(
        f"/api/v1/products/{product_id}/archive", headers=bearer(shop.staff)
    )
    assert archived.status_code == 200
    before = await cart_and_codes(shop, engine, customer)
    refused = await check_out(shop, customer, coupon_codes=["SAVE5"])
    assert (refused.status_code, refused.json()["code"]) == (409, "cart_needs_review")
    assert await cart_and_codes(shop, engine, customer) == before
    assert before[0][0]["sku"] == medium["sku"]


MAIL_LOGGER = "infrastructure.mail.transports"  # where MAIL_BACKEND=log delivers


async def test_a_guest_reads_its_order_by_token_and_a_verified_account_claims_it(
    ordering_shop: OrderingShop, caplog: pytest.LogCaptureFixture
) -> None:
    shop = ordering_shop
    guest = (await shop.client.post("/api/v1/auth/guest")).json()["access_token"]
    teapot = await shop.stocked_product(3, price="12.50")
    await shop.fill_cart(guest, teapot["sku"], 1)
    address = {"name": "Ada", "line1": "1 Main St", "city": "Paris"}
    address |= {"postal_code": "75001", "country": "FR"}
    body = {"shipping_address": address, "payment_token": "tok_approve"}
    no_email = await shop.client.post(
        "/api/v1/checkout", json=body, headers=bearer(guest) | {"Idempotency-Key": "g0"}
    )
    assert (no_email.status_code, no_email.json()["code"]) == (422, "email_required")
    placed = await shop.client.post(
        "/api/v1/checkout",
        json=body | {"email": "Ada@Example.com"},
        headers=bearer(guest) | {"Idempotency-Key": "g1"},
    )
    assert placed.status_code == 201, placed.text
    order_id, token = placed.json()["id"], placed.json()["access_token"]
    assert placed.json()["guest"] is True
    assert token

    for _ in range(200):  # the read model follows the log within moments
        by_token = await shop.client.get(
            f"/api/v1/orders/{order_id}", headers={"X-Order-Token": token}
        )
        if by_token.status_code == 200:
            break
        await asyncio.sleep(0.05)
    assert by_token.status_code == 200, by_token.text
    assert by_token.json()["email"] == "Ada@Example.com"
    wrong = await shop.client.get(
        f"/api/v1/orders/{order_id}", headers={"X-Order-Token": token[:-2] + "xx"}
    )
    assert (wrong.status_code, wrong.json()["code"]) == (404, "order_not_found")
    stranger = await shop.customer()
    assert (await shop.order(stranger, order_id)).status_code == 404
    await shop.wait_for(guest, order_id, lambda o: o["status"] == "paid")
    timeline = await shop.client.get(
        f"/api/v1/orders/{order_id}/timeline", headers={"X-Order-Token": token}
    )
    assert timeline.status_code == 200

    account = await shop.account("ada@example.com", Role.CUSTOMER)
    unverified = await shop.client.post("/api/v1/orders/claim", headers=bearer(account))
    assert (unverified.status_code, unverified.json()["code"]) == (403, "email_not_verified")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=MAIL_LOGGER):
        sent = await shop.client.post(
            "/api/v1/users/me/email-verification", headers=bearer(account)
        )
        assert sent.status_code == 202
        for _ in range(400):  # the worker's mail sender delivers it within moments
            mails = [
                r
                for r in caplog.records
                if r.name == MAIL_LOGGER
                and getattr(r, "mail_template", None) == "email_verification"
            ]
            if mails:
                break
            await asyncio.sleep(0.05)
    [record] = mails
    proof = record.getMessage().split("token=", 1)[1].split()[0]
    verified = await shop.client.post("/api/v1/auth/verify-email", json={"token": proof})
    assert verified.status_code == 204
    claimed = await shop.client.post("/api/v1/orders/claim", headers=bearer(account))
    assert claimed.status_code == 200, claimed.text
    assert [o["id"] for o in claimed.json()["items"]] == [order_id]
    mine = await shop.wait_for(account, order_id, lambda o: o["guest"] is False)
    assert mine["customer_id"] != placed.json()["customer_id"]
    again = await shop.client.post("/api/v1/orders/claim", headers=bearer(account))
    assert again.json()["items"] == []


async def test_pricing_twenty_lines_with_three_promotions_costs_what_one_line_costs(
    ordering_shop: OrderingShop,
) -> None:
    """A bounded number of statements whatever the cart holds: the cart's quote is the
    session, the cart, the catalog, the promotions (two: the automatic ones, then the codes'),
    the tax rates, the shipping methods and the gift cards (8); checkout adds spending the
    coupon and the card to its own."""
    shop = ordering_shop
    await with_taxes_and_shipping(shop)
    products = [await shop.stocked_product(5, price="3.00") for _ in range(20)]
    for n, product in enumerate(products[:2]):
        await promotion(
            shop,
            name=f"Promotion {n}",
            kind="percentage",
            target="products",
            percent=Decimal(5),
            product_ids=(uuid.UUID(product["id"]),),
            automatic=True,
        )
    await coupon(shop, "SAVE5", amount="5.00")  # the third promotion
    card = await gift_card(shop, "10.00")
    codes: dict[str, Any] = {"coupon_codes": ["SAVE5"], "gift_card_codes": [card]}
    body = codes | {"country": "DE", "shipping_method": "standard"}
    counts = {}
    for size in (1, 20):
        customer = await shop.customer()
        for product in products[:size]:
            await shop.fill_cart(customer, product["sku"], 1)
        with counting_statements() as quote:
            quoted = await shop.client.post(
                "/api/v1/cart/quote", json=body, headers=bearer(customer)
            )
        assert quoted.status_code == 200, quoted.text
        assert len(quoted.json()["breakdown"]["lines"]) == size
        with counting_statements() as placing:
            placed = await check_out(shop, customer, **codes)
        assert placed.status_code == 201, placed.text
        counts[size] = (quote.statements, placing.statements)
    assert counts[1][0] == counts[20][0] == 8, counts
    # The checkout budget (16, the fulfilment backlog's measure included: it is taken at most
    # once a second per process, so one of the two may go without it), the codes' promotions
    # (1), the cards' balances (1), and what the promotions and gift cards adapters take to
    # spend the coupon and debit the card (6).
    assert {counts[1][1], counts[20][1]} <= {16 + 1 + 1 + 6, 16 + 1 + 1 + 6 - 1}, counts


async def test_the_readme_walkthrough_gives_the_numbers_it_shows(
    ordering_shop: OrderingShop,
) -> None:
    """The demo shop: three organic T-shirts in M, to Germany by standard parcel, WELCOME10
    and the demo gift card (README, "A real breakdown in a minute")."""
    shop = ordering_shop
    await seed_demo(shop.services)
    customer = await shop.token_for("customer@agora.example.com", DEMO_PASSWORD)
    await shop.fill_cart(customer, f"{DEMO_TSHIRT}-M", 3)
    codes: dict[str, Any] = {"coupon_codes": ["WELCOME10"], "gift_card_codes": []}
    codes["gift_card_codes"] = [DEMO_GIFT_CARD_CODE]
    quote = await shop.client.post(
        "/api/v1/cart/quote",
        json=codes | {"country": "DE", "shipping_method": "standard"},
        headers=bearer(customer),
    )
    assert quote.status_code == 200, quote.text
    b = quote.json()["breakdown"]
    # 3 x 25.00 = 75.00; WELCOME10 takes 7.50; 67.50 ships free (from 50.00); VAT 19 %
    # included: 67.50 x 19/119 = 10.78; the demo card pays 50.00 of it: 17.50 is due.
    assert (b["subtotal"], b["discount_total"], b["shipping"]["total"]) == (
        money("75.00"),
        money("7.50"),
        money("0.00"),
    )
    assert b["shipping"]["free_above_reached"] is True
    assert (b["tax_total"], b["total"], b["gift_card_total"], b["amount_due"]) == (
        money("10.78"),
        money("67.50"),
        money("50.00"),
        money("17.50"),
    )
    placed = await check_out(shop, customer, **codes)
    assert placed.status_code == 201, placed.text
    assert placed.json()["breakdown"] == b


async def test_a_guest_follows_its_order_live_with_its_token(ordering_shop: OrderingShop) -> None:
    shop = ordering_shop
    guest = (await shop.client.post("/api/v1/auth/guest")).json()["access_token"]
    teapot = await shop.stocked_product(3)
    await shop.fill_cart(guest, teapot["sku"], 1)
    address = {"name": "Ada", "line1": "1 Main St", "city": "Paris"}
    address |= {"postal_code": "75001", "country": "FR"}
    placed = await shop.client.post(
        "/api/v1/checkout",
        json={"shipping_address": address, "payment_token": "tok_approve", "email": "a@b.example"},
        headers=bearer(guest) | {"Idempotency-Key": "live-guest"},
    )
    order_id, token = placed.json()["id"], placed.json()["access_token"]
    url = f"/api/v1/orders/{order_id}/stream"
    async with served(shop.app) as base, httpx.AsyncClient(base_url=base, timeout=20) as client:
        wrong = await client.get(url, headers={"X-Order-Token": "not-the-token"})
        assert (wrong.status_code, wrong.json()["code"]) == (404, "order_not_found")
        async with client.stream("GET", url, headers={"X-Order-Token": token}) as stream:
            assert stream.status_code == 200
            [first] = await SseReader(stream).next(1)
    assert (first.id, first.event) == ("1", "order")
