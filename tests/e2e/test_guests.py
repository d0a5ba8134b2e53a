"""Guests over HTTP: a shopper without an account gets a guest token, keeps a cart with it,
and reaches nothing else (no profile, no addresses, no staff routes); logging out ends it at
once; guest sessions are limited per client address."""

from domain.identity.values import Role
from tests.support.shop import Shop, ShopFactory, bearer


async def test_a_guest_token_keeps_a_cart_and_reaches_nothing_else(shop: Shop) -> None:
    started = await shop.client.post("/api/v1/auth/guest")
    assert started.status_code == 201, started.text
    body = started.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == shop.settings.auth.guest_token_minutes * 60
    assert "refresh_token" not in body
    guest = bearer(body["access_token"])

    staff = await shop.account("staff@example.com", Role.STAFF)
    mug = await shop.product(staff, name="Mug")
    line = await shop.client.put(
        f"/api/v1/cart/lines/{mug['sku']}", json={"quantity": 2}, headers=guest
    )
    assert line.status_code == 200, line.text
    cart = await shop.client.get("/api/v1/cart", headers=guest)
    assert [li["quantity"] for li in cart.json()["lines"]] == [2]
    mine = await shop.client.get("/api/v1/orders", headers=guest)
    assert (mine.status_code, mine.json()["items"]) == (200, [])

    for method, path in (
        ("GET", "/api/v1/users/me"),
        ("PATCH", "/api/v1/users/me"),
        ("GET", "/api/v1/users/me/addresses"),
        ("POST", "/api/v1/users/me/email-verification"),
        ("GET", f"/api/v1/users/{body['guest_id']}"),
        ("GET", "/api/v1/users"),
        ("GET", "/api/v1/staff/orders"),
        ("POST", "/api/v1/products"),
    ):
        refused = await shop.client.request(method, path, headers=guest, json={})
        assert refused.status_code == 403, f"{method} {path}: {refused.text}"


async def test_two_guests_are_two_customers(shop: Shop) -> None:
    first = (await shop.client.post("/api/v1/auth/guest")).json()
    second = (await shop.client.post("/api/v1/auth/guest")).json()
    assert first["guest_id"] != second["guest_id"]


async def test_logging_a_guest_out_ends_its_token_at_once(shop: Shop) -> None:
    guest = bearer((await shop.client.post("/api/v1/auth/guest")).json()["access_token"])
    assert (await shop.client.get("/api/v1/cart", headers=guest)).status_code == 200
    assert (await shop.client.post("/api/v1/auth/logout", headers=guest)).status_code == 204
    after = await shop.client.get("/api/v1/cart", headers=guest)
    assert (after.status_code, after.json()["code"]) == (401, "not_authenticated")


async def test_guest_sessions_are_limited_per_client_address(shop_factory: ShopFactory) -> None:
    async with shop_factory(guest_limit_per_ip="2/minute") as shop:
        for _ in range(2):
            assert (await shop.client.post("/api/v1/auth/guest")).status_code == 201
        refused = await shop.client.post("/api/v1/auth/guest")
        assert (refused.status_code, refused.json()["code"]) == (429, "too_many_requests")
        assert int(refused.headers["retry-after"]) >= 1
