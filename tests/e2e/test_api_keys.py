"""API keys: created by admins with scopes, shown once, stored hashed, revocable, used only on
machine routes."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.identity.values import Role
from tests.support.shop import OrderingShop, bearer


def key(value: str) -> dict[str, str]:
    return {"X-API-Key": value}


async def test_a_key_works_within_its_scopes_on_machine_routes_only(
    ordering_shop: OrderingShop, engine: AsyncEngine
) -> None:
    shop = ordering_shop
    admin = await shop.account("admin-keys@example.com", Role.ADMIN)
    created = await shop.client.post(
        "/api/v1/api-keys",
        json={"name": "warehouse", "scopes": ["orders:read:any"]},
        headers=bearer(admin),
    )
    assert created.status_code == 201, created.text
    reader = created.json()["key"]
    assert reader.startswith(f"agora_{created.json()['prefix']}_")
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT secret_hash FROM api_keys"))).scalars().all()
    assert reader.split("_", 2)[2] not in stored
    listed = await shop.client.get("/api/v1/api-keys", headers=bearer(admin))
    assert "key" not in listed.json()["items"][0]

    customer = await shop.customer()
    teapot = await shop.stocked_product(3)
    await shop.fill_cart(customer, teapot["sku"], 1)
    order_id = (await shop.check_out(customer)).json()["id"]
    await shop.wait_status(customer, order_id, "paid")

    feed = await shop.client.get("/api/v1/integrations/orders", headers=key(reader))
    assert feed.status_code == 200
    assert order_id in [o["id"] for o in feed.json()["items"]]
    out_of_scope = await shop.client.post(
        f"/api/v1/integrations/orders/{order_id}/shipment",
        json={"tracking_number": "T-1"},
        headers=key(reader),
    )
    assert (out_of_scope.status_code, out_of_scope.json()["code"]) == (403, "permission_denied")

    # People's routes ignore keys, machine routes ignore bearer tokens.
    person_route = await shop.client.get("/api/v1/staff/orders", headers=key(reader))
    assert person_route.status_code == 401
    machine_route = await shop.client.get("/api/v1/integrations/orders", headers=bearer(shop.staff))
    assert machine_route.status_code == 401

    fulfil = (
        await shop.client.post(
            "/api/v1/api-keys",
            json={"name": "carrier", "scopes": ["orders:fulfil"]},
            headers=bearer(admin),
        )
    ).json()
    shipped = await shop.client.post(
        f"/api/v1/integrations/orders/{order_id}/shipment",
        json={"tracking_number": "T-1", "carrier": "DHL"},
        headers=key(fulfil["key"]),
    )
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["status"] == "shipped"

    keys = {
        k["name"]: k
        for k in (await shop.client.get("/api/v1/api-keys", headers=bearer(admin))).json()["items"]
    }
    assert keys["carrier"]["last_used_at"] is not None

    revoked = await shop.client.delete(f"/api/v1/api-keys/{fulfil['id']}", headers=bearer(admin))
    assert revoked.json()["revoked_at"] is not None
    after = await shop.client.post(
        f"/api/v1/integrations/orders/{order_id}/delivery", headers=key(fulfil["key"])
    )
    assert (after.status_code, after.json()["code"]) == (401, "not_authenticated")


async def test_only_admins_create_keys_and_only_with_machine_scopes(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    admin = await shop.account("admin-scopes@example.com", Role.ADMIN)
    denied = await shop.client.post(
        "/api/v1/api-keys",
        json={"name": "x", "scopes": ["orders:fulfil"]},
        headers=bearer(shop.staff),
    )
    assert denied.status_code == 403
    for scopes in ([], ["users:manage"], ["webhooks:manage"]):
        bad = await shop.client.post(
            "/api/v1/api-keys", json={"name": "x", "scopes": scopes}, headers=bearer(admin)
        )
        assert bad.status_code == 422, scopes
    forged = await shop.client.get(
        "/api/v1/integrations/orders", headers=key("agora_deadbeef_not-the-secret")
    )
    assert forged.status_code == 401
    real = (
        await shop.client.post(
            "/api/v1/api-keys",
            json={"name": "partner", "scopes": ["orders:read:any"]},
            headers=bearer(admin),
        )
    ).json()
    guessed = f"agora_{real['prefix']}_{'x' * 43}"  # the right prefix, the wrong secret
    wrong_secret = await shop.client.get("/api/v1/integrations/orders", headers=key(guessed))
    assert wrong_secret.status_code == 401
    assert (
        await shop.client.get("/api/v1/integrations/orders", headers=key(real["key"]))
    ).status_code == 200
