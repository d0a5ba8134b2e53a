"""The catalog over HTTP: search, filters, sorts, pages; staff changes with ETags; visibility."""

import io
import json

import httpx

from domain.identity.values import Role
from tests.support.shop import Shop, a_sku, bearer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def names(shop: Shop, **params: str | int) -> list[str]:
    response = await shop.client.get("/api/v1/products", params=params)
    assert response.status_code == 200, response.text
    return [p["name"] for p in response.json()["items"]]


async def test_full_text_search_filters_and_sorts(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    kitchen = (
        await shop.client.post(
            "/api/v1/categories", json={"name": "Kitchen"}, headers=bearer(staff)
        )
    ).json()
    mugs = (
        await shop.client.post(
            "/api/v1/categories",
            json={"name": "Mugs", "parent_id": kitchen["id"]},
            headers=bearer(staff),
        )
    ).json()
    await shop.product(
        staff,
        name="Blue ceramic mug",
        price="12.50",
        category_id=mugs["id"],
        attributes={"color": "blue", "volume_ml": 350},
    )
    await shop.product(
        staff,
        name="Red ceramic mug",
        price="9.90",
        category_id=mugs["id"],
        attributes={"color": "red"},
    )
    await shop.product(
        staff,
        name="Chef knife",
        price="49.00",
        category_id=kitchen["id"],
        description="A blue steel blade",
    )
    await shop.product(staff, name="Garden hose", price="25.00")
    await shop.product(staff, name="Secret mug", publish=False)  # drafts are not public

    assert sorted(await names(shop, q="mug")) == ["Blue ceramic mug", "Red ceramic mug"]
    assert await names(shop, q="blue", sort="relevance") == ["Blue ceramic mug", "Chef knife"]
    assert sorted(await names(shop, category_id=kitchen["id"])) == [
        "Blue ceramic mug",
        "Chef knife",
        "Red ceramic mug",
    ]  # the subtree
    assert await names(shop, min_price="10", max_price="30", sort="price") == [
        "Blue ceramic mug",
        "Garden hose",
    ]
    assert await names(shop, attributes=json.dumps({"color": "blue"})) == ["Blue ceramic mug"]
    assert await names(shop, sort="name") == [
        "Blue ceramic mug",
        "Chef knife",
        "Garden hose",
        "Red ceramic mug",
    ]
    assert (await names(shop, sort="newest"))[0] == "Garden hose"
    bad = await shop.client.get("/api/v1/products", params={"attributes": "[1]"})
    assert bad.status_code == 422


async def test_keyset_pages_have_no_duplicates_or_gaps_while_rows_are_added(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    for n in range(7):
        await shop.product(staff, name=f"Item {n:02d}", price=f"{10 + n}.00")
    for sort in ("price", "name", "newest"):
        seen: list[str] = []
        cursor = None
        while True:
            params = {"sort": sort, "limit": 3} | ({"cursor": cursor} if cursor else {})
            page = (await shop.client.get("/api/v1/products", params=params)).json()
            seen += [p["name"] for p in page["items"]]
            if len(seen) == 3:  # between pages, add one that sorts first and one that sorts last
                await shop.product(staff, name=f"AAA {sort}", price="1.00")
                await shop.product(staff, name=f"ZZZ {sort}", price="99.00")
            cursor = page["next_cursor"]
            if cursor is None:
                break
        originals = [s for s in seen if s.startswith("Item")]
        assert len(seen) == len(set(seen)), sort
        assert sorted(originals) == [f"Item {n:02d}" for n in range(7)], sort
    price_cursor = (
        await shop.client.get("/api/v1/products", params={"sort": "price", "limit": 1})
    ).json()["next_cursor"]
    other_sort = await shop.client.get(
        "/api/v1/products", params={"sort": "name", "cursor": price_cursor}
    )
    assert (other_sort.status_code, other_sort.json()["code"]) == (400, "invalid_cursor")


async def test_patch_needs_a_current_etag(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    created = await shop.product(staff, name="Teapot", publish=False)
    url = f"/api/v1/products/{created['id']}"

    missing = await shop.client.patch(url, json={"name": "Big teapot"}, headers=bearer(staff))
    assert (missing.status_code, missing.json()["code"]) == (428, "precondition_required")
    etag = (await shop.client.get(url, headers=bearer(staff))).headers["etag"]
    ok = await shop.client.patch(
        url, json={"name": "Big teapot"}, headers=bearer(staff) | {"If-Match": etag}
    )
    assert ok.status_code == 200
    assert ok.json()["name"] == "Big teapot"
    stale = await shop.client.patch(
        url, json={"name": "Small"}, headers=bearer(staff) | {"If-Match": etag}
    )
    assert (stale.status_code, stale.json()["code"]) == (412, "precondition_failed")


async def test_prices_are_decimal_strings_and_a_change_is_seen_on_the_next_read(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    created = await shop.product(staff, name="Kettle", price="19.99")
    assert created["price"] == {"amount": "19.99", "currency": "EUR"}
    for _ in range(2):  # the second read is served from the cache
        cached = await shop.client.get(f"/api/v1/products/{created['id']}")
        assert cached.json()["price"]["amount"] == "19.99"
    no_etag = await shop.client.put(
        f"/api/v1/products/{created['id']}/price",
        json={"amount": "17.50", "currency": "EUR"},
        headers=bearer(staff),
    )
    assert no_etag.status_code == 428
    changed = await shop.client.put(
        f"/api/v1/products/{created['id']}/price",
        json={"amount": "17.50", "currency": "EUR"},
        headers=bearer(staff) | {"If-Match": f'"{created["version"]}"'},
    )
    assert changed.json()["price"]["amount"] == "17.50"
    assert (await shop.client.get(f"/api/v1/products/{created['id']}")).json()["price"][
        "amount"
    ] == "17.50"
    too_precise = await shop.client.put(
        f"/api/v1/products/{created['id']}/price",
        json={"amount": "1.999", "currency": "EUR"},
        headers=bearer(staff) | {"If-Match": changed.headers["etag"]},
    )
    assert too_precise.status_code == 422


async def test_archived_products_are_gone_publicly_but_visible_to_staff(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    created = await shop.product(staff, name="Old lamp")
    await shop.client.post(f"/api/v1/products/{created['id']}/archive", headers=bearer(staff))

    assert (await shop.client.get(f"/api/v1/products/{created['id']}")).status_code == 404
    assert "Old lamp" not in await names(shop)
    seen_by_staff = await shop.client.get(
        f"/api/v1/products/{created['id']}", headers=bearer(staff)
    )
    assert seen_by_staff.json()["status"] == "archived"
    republish = await shop.client.post(
        f"/api/v1/products/{created['id']}/publish", headers=bearer(staff)
    )
    assert (republish.status_code, republish.json()["code"]) == (409, "product_archived")


async def test_a_sku_is_used_once(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    sku = a_sku()
    body = {"sku": sku, "name": "One", "price": {"amount": "1.00", "currency": "EUR"}}
    assert (
        await shop.client.post("/api/v1/products", json=body, headers=bearer(staff))
    ).status_code == 201
    again = await shop.client.post("/api/v1/products", json=body, headers=bearer(staff))
    assert (again.status_code, again.json()["code"]) == (409, "sku_taken")


async def test_a_category_cannot_move_under_its_own_descendant(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)

    async def category(name: str, parent: str | None = None) -> str:
        created = await shop.client.post(
            "/api/v1/categories", json={"name": name, "parent_id": parent}, headers=bearer(staff)
        )
        return str(created.json()["id"])

    home = await category("Home")
    kitchen = await category("Kitchen", home)
    knives = await category("Knives", kitchen)
    cycle = await shop.client.put(
        f"/api/v1/categories/{home}/parent", json={"parent_id": knives}, headers=bearer(staff)
    )
    assert (cycle.status_code, cycle.json()["code"]) == (409, "category_cycle")
    itself = await shop.client.put(
        f"/api/v1/categories/{home}/parent", json={"parent_id": home}, headers=bearer(staff)
    )
    assert itself.status_code == 409
    fine = await shop.client.put(
        f"/api/v1/categories/{knives}/parent", json={"parent_id": home}, headers=bearer(staff)
    )
    assert fine.json()["parent_id"] == home


async def test_images_are_checked_by_content_type_and_size(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    created = await shop.product(staff, name="Vase")
    url = f"/api/v1/products/{created['id']}/images"

    async def upload(data: bytes, name: str, content_type: str) -> httpx.Response:
        return await shop.client.post(
            url, files={"file": (name, io.BytesIO(data), content_type)}, headers=bearer(staff)
        )

    renamed = await upload(b"%PDF-1.7 not an image", "photo.png", "image/png")
    assert (renamed.status_code, renamed.json()["code"]) == (415, "unsupported_image")
    wrong_type = await upload(PNG, "photo.jpg", "image/jpeg")
    assert wrong_type.status_code == 415
    too_big = await upload(PNG + b"\x00" * 6 * 1024 * 1024, "big.png", "image/png")
    assert too_big.status_code == 413

    ok = await upload(PNG, "photo.png", "image/png")
    assert ok.status_code == 201
    image = await shop.client.get(ok.json()["url"])
    assert image.headers["content-type"] == "image/png"
    assert image.content == PNG


async def test_customers_get_403_on_every_staff_catalog_route(shop: Shop) -> None:
    customer = await shop.account("customer@example.com", Role.CUSTOMER)
    staff = await shop.account("staff@example.com", Role.STAFF)
    created = await shop.product(staff, name="Chair")
    pid = created["id"]
    routes = [
        (
            "POST",
            "/api/v1/products",
            {"sku": a_sku(), "name": "x", "price": {"amount": "1", "currency": "EUR"}},
        ),
        ("PATCH", f"/api/v1/products/{pid}", {"name": "y"}),
        ("PUT", f"/api/v1/products/{pid}/price", {"amount": "2.00", "currency": "EUR"}),
        ("POST", f"/api/v1/products/{pid}/publish", None),
        ("POST", f"/api/v1/products/{pid}/archive", None),
        ("POST", "/api/v1/categories", {"name": "Nope"}),
        ("GET", "/api/v1/products/export.csv", None),
    ]
    for method, path, body in routes:
        response = await shop.client.request(method, path, json=body, headers=bearer(customer))
        assert response.status_code == 403, (method, path, response.text)
    image = await shop.client.post(
        f"/api/v1/products/{pid}/images",
        files={"file": ("a.png", io.BytesIO(PNG), "image/png")},
        headers=bearer(customer),
    )
    assert image.status_code == 403
    csv = await shop.client.post(
        "/api/v1/products/import", content=b"sku,name,price,currency\n", headers=bearer(customer)
    )
    assert csv.status_code == 403


async def test_sibling_categories_have_distinct_names(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    for body in ({"name": "Toys"}, {"name": "toys"}):  # top level: same slug
        response = await shop.client.post("/api/v1/categories", json=body, headers=bearer(staff))
    assert (response.status_code, response.json()["code"]) == (409, "category_name_taken")


async def test_a_draft_products_image_never_enters_shared_caches(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    draft = await shop.product(staff, name="Prototype", publish=False)
    uploaded = await shop.client.post(
        f"/api/v1/products/{draft['id']}/images",
        files={"file": ("a.png", io.BytesIO(PNG), "image/png")},
        headers=bearer(staff),
    )
    url = uploaded.json()["url"]
    assert (await shop.client.get(url)).status_code == 404  # the public cannot see it
    staff_view = await shop.client.get(url, headers=bearer(staff))
    assert staff_view.headers["cache-control"] == "private, no-store"
    await shop.client.post(f"/api/v1/products/{draft['id']}/publish", headers=bearer(staff))
    assert (await shop.client.get(url)).headers["cache-control"].startswith("public")
