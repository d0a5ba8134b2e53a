"""What caches may keep: tokens never (RFC 6749 §5.1), a caller's own answers only in their
own browser and not even there, public catalog reads as the routes say."""

from domain.identity.values import Role
from tests.support.shop import Shop, bearer


async def test_token_responses_are_never_stored(shop: Shop) -> None:
    await shop.register("ada@example.com")
    issued = await shop.log_in("ada@example.com")
    assert issued.status_code == 200
    assert issued.headers["cache-control"] == "no-store"
    assert issued.headers["pragma"] == "no-cache"
    refreshed = await shop.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": issued.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200
    assert refreshed.headers["cache-control"] == "no-store"
    refused = await shop.log_in("ada@example.com", "not-the-password")
    assert refused.headers["cache-control"] == "no-store"


async def test_personal_responses_are_private_and_not_stored(shop: Shop) -> None:
    registered = await shop.register("grace@example.com")
    assert registered.headers["cache-control"] == "no-store"  # it holds the account
    token = await shop.token_for("grace@example.com")
    for path in ("/api/v1/users/me", "/api/v1/cart", "/api/v1/orders"):
        response = await shop.client.get(path, headers=bearer(token))
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "private, no-store", path
    unauthenticated = await shop.client.get("/api/v1/users/me")
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["cache-control"] == "no-store"


async def test_public_catalog_reads_keep_their_caching(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    product = await shop.product(staff, name="Teapot")
    public = await shop.client.get(f"/api/v1/products/{product['id']}")
    assert public.status_code == 200
    assert "cache-control" not in public.headers  # shared caches may keep it, revalidating
    assert public.headers["etag"]
    assert "cache-control" not in (await shop.client.get("/api/v1/products")).headers
    # The same product read by staff (who see drafts and more) stays private.
    as_staff = await shop.client.get(f"/api/v1/products/{product['id']}", headers=bearer(staff))
    assert as_staff.headers["cache-control"] == "private, no-store"
