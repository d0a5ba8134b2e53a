"""Query budgets (ADR 0027): each hot path runs at most the SQL statements its budget allows,
counted by the engine's statement counter, so an N+1 query cannot creep in unnoticed.

Catalog reads are measured with the catalog cache off: a budget is the database work of a
cache miss. A budget is today's count, not a ceiling with slack: lower one when a change saves
a statement; raise one only with a reason in the commit that does."""

import json
import logging
from collections.abc import AsyncIterator, Awaitable
from uuid import UUID

import httpx
import pytest

from agora.logging_config import JsonFormatter
from agora.settings import CatalogSettings, Settings
from api.catalog.schemas import product_json
from application.catalog.views import RenderedProduct
from infrastructure.db.statements import counting_statements
from tests.support.shop import (
    ADDRESS,
    OrderingShop,
    bearer,
    ordering_settings,
    running_ordering_shop,
)

BUDGETS = {
    # GET /products/{id}, anonymous: the product row.
    "product page": 1,
    # GET /products?q=mug: one full-text query for the page.
    "search": 1,
    # GET /products?category_id&min_price&attributes&option: one query, the category subtree in
    # a CTE, the option filter a semi-join on the variants.
    "filtered list": 1,
    # GET /products?category_id&option&facets=category,price,options: the page, then every facet
    # in one GROUPING SETS statement (ADR 0031). Attribute facets add the product type's schema.
    "faceted list": 2,
    # GET /shipping-methods?country&currency: the offered methods with their bands, one join.
    "shipping methods": 1,
    # PUT /cart/lines/{sku}: the caller's session; the cart made sure of and locked, its lines
    # and the product read, the lines deleted and written again, the cart touched; the
    # automatic promotions, for the breakdown the answer shows (ADR 0036).
    "add to cart": 9,
    # GET /cart: the caller's session, the cart with its lines (one join), their variants'
    # current prices, the automatic promotions (the breakdown; no destination, no tax).
    "cart": 4,
    # POST /checkout: the caller's session; the key's claim (lock and lookup in one), the
    # fulfilment backlog (once a second per process; this is the process's first checkout), a
    # savepoint, the cart locked and read with its products, the payment method and deadline,
    # the cart emptied, the append (checks and insert in one), the savepoint released, the
    # key's answer. A brand-new order's stream takes no lock (ADR 0023). The price pipeline's
    # rules, one statement per port: the promotions, the destination's tax rates, the shipping
    # methods offered there (ADR 0036; no gift card or saved address here, so none for those).
    "checkout": 16,
    # GET /orders: the caller's session and one page of the order read model.
    "order list": 2,
    # GET /orders/{id}: the caller's session and the order's row in the read model.
    "order detail": 2,
    # GET /users/me: the caller's session and the account.
    "me": 2,
}

# A weight-priced method to Germany in euros, with three bands.
METHOD = {
    "name": "Parcel",
    "kind": "standard",
    "basis": "weight",
    "countries": ["DE", "AT"],
    "tariffs": [
        {
            "currency": "EUR",
            "bands": [
                {"from_value": "0", "price": "4.90"},
                {"from_value": "2000", "price": "6.90"},
                {"from_value": "10000", "price": "12.90"},
            ],
        }
    ],
}


async def counted(request: Awaitable[httpx.Response]) -> tuple[httpx.Response, int]:
    """The response and the statements its request ran (the in-process worker's are its own)."""
    with counting_statements() as count:
        response = await request
    assert response.status_code < 300, response.text
    return response, count.statements


@pytest.fixture
async def shop(settings: Settings) -> AsyncIterator[OrderingShop]:
    uncached = ordering_settings(settings).model_copy(
        update={"catalog": CatalogSettings(cache_enabled=False)}
    )
    async with running_ordering_shop(uncached) as running:
        yield running


async def hot_paths(shop: OrderingShop) -> dict[str, int]:
    """Walk each hot path once, as a customer would, and count its statements."""
    return await catalog_paths(shop) | await ordering_paths(shop, await shop.customer())


async def catalog_paths(shop: OrderingShop) -> dict[str, int]:
    client, counts = shop.client, {}
    category = await client.post(
        "/api/v1/categories", json={"name": "Mugs"}, headers=bearer(shop.staff)
    )
    mug = await shop.product(
        shop.staff,
        name="Blue ceramic mug",
        price="12.50",
        category_id=category.json()["id"],
        attributes={"color": "blue"},
        options=[{"name": "size", "values": ["M", "L"]}],
    )
    _, counts["product page"] = await counted(client.get(f"/api/v1/products/{mug['id']}"))
    _, counts["search"] = await counted(client.get("/api/v1/products", params={"q": "mug"}))
    filters = {
        "category_id": category.json()["id"],
        "min_price": "1.00",
        "attributes": json.dumps({"color": "blue"}),
        "option": "size:M",
    }
    _, counts["filtered list"] = await counted(client.get("/api/v1/products", params=filters))
    faceted = {
        "category_id": category.json()["id"],
        "facets": "category,price,options",
        "option": "size:M",
    }
    _, counts["faceted list"] = await counted(client.get("/api/v1/products", params=faceted))
    for code in ("standard", "express"):
        await client.post(
            "/api/v1/shipping-methods", json=METHOD | {"code": code}, headers=bearer(shop.staff)
        )
    where = {"country": "DE", "currency": "EUR"}
    offered, counts["shipping methods"] = await counted(
        client.get("/api/v1/shipping-methods", params=where)
    )
    assert len(offered.json()["items"]) == 2
    return counts


async def ordering_paths(shop: OrderingShop, customer: str) -> dict[str, int]:
    client, counts, auth = shop.client, {}, bearer(customer)
    teapot = await shop.stocked_product(5)
    _, counts["add to cart"] = await counted(
        client.put(f"/api/v1/cart/lines/{teapot['sku']}", json={"quantity": 2}, headers=auth)
    )
    _, counts["cart"] = await counted(client.get("/api/v1/cart", headers=auth))
    placed, counts["checkout"] = await counted(
        client.post(
            "/api/v1/checkout",
            json={
                "shipping_address": ADDRESS | {"country": "DE", "postal_code": "10117"},
                "shipping_method": "standard",
                "payment_token": "tok_approve",
            },
            headers=auth | {"Idempotency-Key": "budget-checkout-0001"},
        )
    )
    order_id = placed.json()["id"]
    await shop.wait_status(customer, order_id, "paid")
    _, counts["order list"] = await counted(client.get("/api/v1/orders", headers=auth))
    _, counts["order detail"] = await counted(
        client.get(f"/api/v1/orders/{order_id}", headers=auth)
    )
    _, counts["me"] = await counted(client.get("/api/v1/users/me", headers=auth))
    return counts


def over_budget(counts: dict[str, int]) -> dict[str, str]:
    return {
        path: f"{count} statements, budget {BUDGETS[path]}"
        for path, count in counts.items()
        if count > BUDGETS[path]
    }


async def test_every_hot_path_stays_within_its_query_budget(shop: OrderingShop) -> None:
    counts = await hot_paths(shop)
    assert counts.keys() == BUDGETS.keys()
    assert over_budget(counts) == {}


async def test_a_reader_called_in_a_loop_exceeds_the_budget(shop: OrderingShop) -> None:
    mug = await shop.product(shop.staff, name="Blue ceramic mug")
    services = shop.services

    # A product page gone wrong: one read per related product instead of one query for all.
    @shop.app.get("/test/related/{product_id}")
    async def related(product_id: UUID) -> list[int]:
        reads: list[RenderedProduct] = [
            await services.catalog.product_rendered(product_id, staff=False, render=product_json)
            for _ in range(3)
        ]
        return [product.version for product in reads]

    _, single = await counted(shop.client.get(f"/api/v1/products/{mug['id']}"))
    _, looped = await counted(shop.client.get(f"/test/related/{mug['id']}"))

    assert looped == 3 * single
    assert over_budget({"product page": looped}) == {
        "product page": f"{looped} statements, budget {BUDGETS['product page']}"
    }


async def test_the_access_log_names_the_statements_of_each_request(
    shop: OrderingShop, caplog: pytest.LogCaptureFixture
) -> None:
    customer = await shop.customer()
    with caplog.at_level(logging.INFO, logger="agora.access"):
        _, count = await counted(shop.client.get("/api/v1/users/me", headers=bearer(customer)))

    (line,) = [r for r in caplog.records if r.name == "agora.access"]
    assert JsonFormatter().format(line).count('"db_statements": 2') == 1
    assert count == 2


async def test_slow_statements_are_logged_with_route_and_command_without_values(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    every_statement = settings.database.model_copy(update={"slow_statement_ms": 0})
    tuned = ordering_settings(settings).model_copy(update={"database": every_statement})
    async with running_ordering_shop(tuned) as shop:
        teapot = await shop.stocked_product(5)
        customer = await shop.customer()
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="infrastructure.db.statements"):
            _, count = await counted(
                shop.client.put(
                    f"/api/v1/cart/lines/{teapot['sku']}",
                    json={"quantity": 2},
                    headers=bearer(customer),
                )
            )

    # The in-process worker's statements are logged too, with no route.
    formatted = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    logged = [e for e in formatted if e["route"] is not None]
    assert len(logged) == count == BUDGETS["add to cart"]
    assert {(e["level"], e["message"]) for e in logged} == {("warning", "slow statement")}
    assert {e["route"] for e in logged} == {"/api/v1/cart/lines/{sku}"}
    assert {e["command"] for e in logged} == {None, "SetCartLine"}  # the session check, then it
    assert all(isinstance(e["duration_ms"], float) for e in logged)
    # Placeholders only: the customer's id and the SKU are values, never logged.
    everything = json.dumps(logged)
    assert teapot["sku"] not in everything
    assert "$1" in everything
