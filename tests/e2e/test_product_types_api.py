"""Product types over HTTP: staff define a "T-shirt" with a choice, a number in grams and a
yes/no attribute; products of the type are checked against it; search counts them by facet."""

import json
from typing import Any

import httpx

from domain.identity.values import Role
from infrastructure.db.statements import counting_statements
from tests.support.shop import Shop, a_sku, bearer

T_SHIRT = {
    "name": "T-shirt",
    "attributes": [
        {
            "code": "material",
            "label": "Material",
            "kind": "choice",
            "choices": ["cotton", "linen", "wool"],
            "required": True,
        },
        {"code": "weight", "label": "Weight", "kind": "number", "unit": "g", "minimum": 50},
        {"code": "organic", "label": "Organic", "kind": "boolean"},
    ],
}


async def a_shirt(shop: Shop, staff: str, type_id: str, price: str, **attributes: Any) -> str:
    made = await shop.product(
        staff, name="Shirt", price=price, product_type_id=type_id, attributes=attributes
    )
    return str(made["id"])


async def create_type(shop: Shop, staff: str, body: dict[str, Any]) -> httpx.Response:
    return await shop.client.post("/api/v1/product-types", json=body, headers=bearer(staff))


async def test_staff_define_a_type_and_its_products_must_fit_it(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    created = await create_type(shop, staff, T_SHIRT)
    assert created.status_code == 201, created.text
    assert created.headers["ETag"] == '"0"'
    assert created.headers["Location"] == f"/api/v1/product-types/{created.json()['id']}"
    type_id = created.json()["id"]
    weight = created.json()["attributes"][1]
    assert (weight["unit"], weight["minimum"]) == ("g", "50")

    shirt = await shop.product(
        staff,
        name="Organic tee",
        product_type_id=type_id,
        attributes={"material": "cotton", "weight": 180.5, "organic": True},
    )
    assert shirt["product_type_id"] == type_id
    assert shirt["attributes"] == {"material": "cotton", "weight": 180.5, "organic": True}

    refused = await shop.client.post(
        "/api/v1/products",
        json={
            "sku": a_sku(),
            "name": "Bad tee",
            "price": {"amount": "10.00", "currency": "EUR"},
            "product_type_id": type_id,
            "attributes": {"material": "silk", "weight": "heavy", "colour": "red"},
        },
        headers=bearer(staff),
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "invalid_attributes"
    assert {e["field"] for e in problem["errors"]} == {
        "attributes.material",
        "attributes.weight",
        "attributes.colour",
    }

    untyped = await shop.product(staff, name="Mug", attributes={"colour": "blue"})
    assert untyped["product_type_id"] is None  # free-form attributes, as before


async def test_a_type_changes_with_if_match_and_only_compatibly_while_in_use(shop: Shop) -> None:
    staff, client = await shop.account("staff@example.com", Role.STAFF), shop.client
    type_id = (await create_type(shop, staff, T_SHIRT)).json()["id"]
    url = f"/api/v1/product-types/{type_id}"
    await a_shirt(shop, staff, type_id, "10.00", material="wool")

    wider = json.loads(json.dumps(T_SHIRT))
    wider["attributes"][0]["choices"].append("hemp")
    assert (await client.put(url, json=wider, headers=bearer(staff))).status_code == 428
    stale = await client.put(url, json=wider, headers=bearer(staff) | {"If-Match": '"5"'})
    assert stale.status_code == 412
    changed = await client.put(url, json=wider, headers=bearer(staff) | {"If-Match": '"0"'})
    assert changed.status_code == 200
    assert changed.headers["ETag"] == '"1"'

    narrower = json.loads(json.dumps(T_SHIRT))
    narrower["attributes"].pop()
    breaking = await client.put(url, json=narrower, headers=bearer(staff) | {"If-Match": '"1"'})
    assert breaking.status_code == 409
    assert breaking.json()["code"] == "incompatible_schema_change"
    in_use = await client.delete(url, headers=bearer(staff))
    assert in_use.status_code == 409
    assert in_use.json()["code"] == "product_type_in_use"

    unused = (await create_type(shop, staff, {"name": "Poster"})).json()["id"]
    gone = await client.delete(f"/api/v1/product-types/{unused}", headers=bearer(staff))
    assert gone.status_code == 204
    missing = await client.get(f"/api/v1/product-types/{unused}", headers=bearer(staff))
    assert missing.status_code == 404
    assert missing.json()["code"] == "product_type_not_found"


async def test_product_types_are_listed_by_name_in_keyset_pages_for_staff_only(
    shop: Shop,
) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    customer = await shop.account("customer@example.com", Role.CUSTOMER)
    for name in ("Poster", "Mug", "T-shirt"):
        assert (await create_type(shop, staff, {"name": name})).status_code == 201
    again = await create_type(shop, staff, {"name": "Mug"})
    assert again.status_code == 409
    assert again.json()["code"] == "product_type_name_taken"
    bad = await create_type(
        shop,
        staff,
        {"name": "Bad", "attributes": [{"code": "x", "label": "X", "kind": "text", "unit": "g"}]},
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_product_type"

    names, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await shop.client.get("/api/v1/product-types", params=params, headers=bearer(staff))
        names += [t["name"] for t in page.json()["items"]]
        if (cursor := page.json()["next_cursor"]) is None:
            break
    assert names == ["Mug", "Poster", "T-shirt"]
    forbidden = await shop.client.get("/api/v1/product-types", headers=bearer(customer))
    assert forbidden.status_code == 403


async def test_search_counts_the_filtered_products_by_facet(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    type_id = (await create_type(shop, staff, T_SHIRT)).json()["id"]
    tees = (
        await shop.client.post("/api/v1/categories", json={"name": "Tees"}, headers=bearer(staff))
    ).json()["id"]
    for price, attributes in [
        ("9.00", {"material": "cotton", "organic": True}),
        ("19.00", {"material": "cotton", "organic": False}),
        ("22.00", {"material": "linen", "weight": 150}),
        ("80.00", {"material": "cotton", "organic": True}),
    ]:
        await shop.product(
            staff,
            name="Shirt",
            price=price,
            product_type_id=type_id,
            category_id=tees,
            attributes=attributes,
        )
    await shop.product(
        staff,
        name="Shirt draft",
        product_type_id=type_id,
        publish=False,
        attributes={"material": "wool"},
    )  # drafts are not public, nor counted
    await shop.product(staff, name="Mug", price="12.00", category_id=tees)

    params = {
        "product_type_id": type_id,
        "min_price": "10",
        "facets": "category,price,attributes",
        "price_bands": "10,25,50",
        "limit": 1,
    }
    with counting_statements() as counted:
        found = await shop.client.get("/api/v1/products", params=params)
    assert found.status_code == 200, found.text
    assert counted.statements == 3  # the page, the type's schema, every facet at once
    body = found.json()
    assert len(body["items"]) == 1
    assert body["next_cursor"] is not None
    facets = body["facets"]
    assert facets["categories"] == [{"category_id": tees, "count": 3}]
    assert facets["price_bands"] == [
        {"minimum": "0", "maximum": "10", "count": 0},
        {"minimum": "10", "maximum": "25", "count": 2},
        {"minimum": "25", "maximum": "50", "count": 0},
        {"minimum": "50", "maximum": None, "count": 1},
    ]
    by_code = {a["code"]: a["values"] for a in facets["attributes"]}
    assert by_code == {
        "material": [
            {"value": "cotton", "count": 2},
            {"value": "linen", "count": 1},
            {"value": "wool", "count": 0},
        ],
        "organic": [{"value": True, "count": 1}, {"value": False, "count": 1}],
    }

    plain = await shop.client.get("/api/v1/products", params={"product_type_id": type_id})
    assert "facets" not in plain.json()
    assert len(plain.json()["items"]) == 4
    no_type = await shop.client.get("/api/v1/products", params={"facets": "attributes"})
    assert no_type.status_code == 422
    assert no_type.json()["code"] == "invalid_facets"
    unknown = await shop.client.get("/api/v1/products", params={"facets": "colour"})
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "invalid_facets"
