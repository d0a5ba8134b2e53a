"""Products with options and variants over HTTP: staff build a T-shirt in three variants with
prices in two currencies; the public see active variants only; stock is kept per variant SKU; a
customer's cart holds a variant by its SKU and names its options; an archived product's
variants are not for sale."""

from typing import Any

import httpx

from tests.support.shop import OrderingShop, a_sku, bearer


def if_match(product: dict[str, Any]) -> dict[str, str]:
    return {"If-Match": f'"{product["version"]}"'}


async def a_tshirt(shop: OrderingShop) -> dict[str, Any]:
    """Three variants: the default S/red (19.90 EUR), M/red and L/blue."""
    created = await shop.client.post(
        "/api/v1/products",
        json={
            "sku": a_sku("TEE"),
            "name": "T-shirt",
            "price": {"amount": "19.90", "currency": "EUR"},
            "options": [
                {"name": "size", "values": ["S", "M", "L"]},
                {"name": "colour", "values": ["red", "blue"]},
            ],
            "tax_category": "clothing",
        },
        headers=bearer(shop.staff),
    )
    assert created.status_code == 201, created.text
    product: dict[str, Any] = created.json()
    for size, colour in (("M", "red"), ("L", "blue")):
        added = await add_variant(shop, product, size=size, colour=colour)
        assert added.status_code == 201, added.text
        product = added.json()
    return product


async def add_variant(
    shop: OrderingShop, product: dict[str, Any], *, size: str, colour: str, sku: str | None = None
) -> httpx.Response:
    return await shop.client.post(
        f"/api/v1/products/{product['id']}/variants",
        json={
            "sku": sku or a_sku("TEE"),
            "options": {"colour": colour, "size": size},
            "prices": [{"amount": "19.90", "currency": "EUR"}],
            "weight_grams": 180,
        },
        headers=bearer(shop.staff) | if_match(product),
    )


async def test_staff_build_a_product_in_variants_with_prices_per_currency(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    product = await a_tshirt(shop)
    default, medium, _ = product["variants"]
    assert [v["options"] for v in product["variants"]] == [
        {"size": "S", "colour": "red"},
        {"size": "M", "colour": "red"},
        {"size": "L", "colour": "blue"},
    ]
    assert (product["sku"], product["price"]) == (
        default["sku"],
        {"amount": "19.90", "currency": "EUR"},
    )
    assert product["options"][0] == {"name": "size", "values": ["S", "M", "L"]}
    assert product["tax_category"] == "clothing"
    priced = await shop.client.put(
        f"/api/v1/products/{product['id']}/variants/{medium['id']}/prices",
        json={
            "prices": [
                {"amount": "21.00", "currency": "EUR"},
                {"amount": "23.50", "currency": "USD"},
            ]
        },
        headers=bearer(shop.staff) | if_match(product),
    )
    assert priced.status_code == 200, priced.text
    assert priced.headers["ETag"] == f'"{product["version"] + 1}"'
    assert priced.json()["variants"][1]["prices"] == [
        {"amount": "21.00", "currency": "EUR"},
        {"amount": "23.50", "currency": "USD"},
    ]
    stale = await shop.client.put(
        f"/api/v1/products/{product['id']}/variants/{medium['id']}/prices",
        json={"prices": [{"amount": "1.00", "currency": "EUR"}]},
        headers=bearer(shop.staff) | if_match(product),
    )
    assert stale.status_code == 412


async def test_variant_changes_that_break_a_rule_are_problems_with_their_codes(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    product = await a_tshirt(shop)
    other = await shop.product(shop.staff, name="Mug")
    refused = {
        "duplicate_variant": await add_variant(shop, product, size="M", colour="red"),
        "unknown_option_value": await add_variant(shop, product, size="XL", colour="red"),
        "sku_taken": await add_variant(shop, product, size="S", colour="blue", sku=other["sku"]),
    }
    assert {code: (r.status_code, r.json()["code"]) for code, r in refused.items()} == {
        "duplicate_variant": (409, "duplicate_variant"),
        "unknown_option_value": (422, "unknown_option_value"),
        "sku_taken": (409, "sku_taken"),
    }
    in_use = await shop.client.put(
        f"/api/v1/products/{product['id']}/options",
        json={
            "options": [
                {"name": "size", "values": ["S", "M"]},
                {"name": "colour", "values": ["red", "blue"]},
            ]
        },
        headers=bearer(shop.staff) | if_match(product),
    )
    assert (in_use.status_code, in_use.json()["code"]) == (409, "option_value_in_use")
    unconditional = await shop.client.delete(
        f"/api/v1/products/{product['id']}/variants/{product['variants'][2]['id']}",
        headers=bearer(shop.staff),
    )
    assert unconditional.status_code == 428
    customer = await shop.customer()
    as_customer = await shop.client.post(
        f"/api/v1/products/{product['id']}/variants",
        json={
            "sku": a_sku(),
            "options": {"size": "L", "colour": "red"},
            "prices": [{"amount": "1.00", "currency": "EUR"}],
        },
        headers=bearer(customer) | if_match(product),
    )
    assert as_customer.status_code == 403


async def test_a_customer_buys_a_variant_by_its_sku_and_the_public_see_active_ones_only(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    product = await a_tshirt(shop)
    _, medium, large = product["variants"]
    hidden = await shop.client.patch(
        f"/api/v1/products/{product['id']}/variants/{large['id']}",
        json={"active": False},
        headers=bearer(shop.staff) | if_match(product),
    )
    assert hidden.status_code == 200, hidden.text
    published = await shop.client.post(
        f"/api/v1/products/{product['id']}/publish", headers=bearer(shop.staff)
    )
    assert published.status_code == 200
    public = (await shop.client.get(f"/api/v1/products/{product['id']}")).json()
    assert [v["sku"] for v in public["variants"]] == [product["sku"], medium["sku"]]
    staff_view = await shop.client.get(
        f"/api/v1/products/{product['id']}", headers=bearer(shop.staff)
    )
    assert len(staff_view.json()["variants"]) == 3

    received = await shop.client.post(
        f"/api/v1/inventory/{medium['sku']}/receipts",
        json={"quantity": 4},
        headers=bearer(shop.staff),
    )
    assert received.status_code == 200, received.text
    customer = await shop.customer()
    cart = (await shop.fill_cart(customer, medium["sku"], 2)).json()
    [line] = cart["lines"]
    assert (line["sku"], line["name"], line["unit_price"]) == (
        medium["sku"],
        "T-shirt (M, red)",
        {"amount": "19.90", "currency": "EUR"},
    )
    inactive = await shop.client.put(
        f"/api/v1/cart/lines/{large['sku']}", json={"quantity": 1}, headers=bearer(customer)
    )
    assert (inactive.status_code, inactive.json()["code"]) == (409, "product_unavailable")
    placed = await shop.check_out(customer)
    assert placed.status_code == 201, placed.text
    order = await shop.wait_status(customer, placed.json()["id"], "paid")
    assert [(line["sku"], line["name"]) for line in order["lines"]] == [
        (medium["sku"], "T-shirt (M, red)")
    ]
    stock = await shop.client.get(f"/api/v1/inventory/{medium['sku']}", headers=bearer(shop.staff))
    assert stock.json()["available"] == 2, stock.text


async def test_an_archived_products_variants_are_refused_by_the_cart(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    product = await a_tshirt(shop)
    await shop.client.post(f"/api/v1/products/{product['id']}/publish", headers=bearer(shop.staff))
    customer = await shop.customer()
    medium = product["variants"][1]
    await shop.fill_cart(customer, medium["sku"], 1)
    archived = await shop.client.post(
        f"/api/v1/products/{product['id']}/archive", headers=bearer(shop.staff)
    )
    assert archived.status_code == 200
    refused = await shop.client.put(
        f"/api/v1/cart/lines/{product['variants'][2]['sku']}",
        json={"quantity": 1},
        headers=bearer(customer),
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "product_unavailable")
    cart = (await shop.client.get("/api/v1/cart", headers=bearer(customer))).json()
    assert [(line["sku"], line["available"]) for line in cart["lines"]] == [(medium["sku"], False)]


async def test_an_import_row_naming_another_variants_sku_is_rejected_not_applied(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    product = await a_tshirt(shop)
    medium = product["variants"][1]
    rows = (
        "sku,name,description,price,currency,category_id,attributes\n"
        f"{medium['sku']},Renamed,,1.00,EUR,,\n"
        f"{product['sku']},T-shirt,,18.00,EUR,,\n"
    )
    response = await shop.client.post(
        "/api/v1/products/import", content=rows.encode(), headers=bearer(shop.staff)
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["updated"], [r["line"] for r in report["rejected"]]) == (1, [2])
    after = await shop.client.get(f"/api/v1/products/{product['id']}", headers=bearer(shop.staff))
    assert (after.json()["name"], after.json()["price"]["amount"]) == ("T-shirt", "18.00")
    assert [v["sku"] for v in after.json()["variants"]] == [v["sku"] for v in product["variants"]]
