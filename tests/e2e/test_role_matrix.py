"""Each protected route against each kind of caller: the statuses are the access policy."""

import uuid

import pytest

from domain.identity.values import Role
from tests.support.shop import Shop, bearer

CALLERS = ("anonymous", "customer", "staff", "admin")
TARGET = "target@example.com"

# route -> expected status for (anonymous, customer, staff, admin).
# {target} is another customer's id: customers and staff get 404 for it, never 403.
MATRIX: list[tuple[str, str, dict[str, object] | None, tuple[int, int, int, int]]] = [
    ("GET", "/api/v1/users/me", None, (401, 200, 200, 200)),
    ("PATCH", "/api/v1/users/me", {"full_name": "New Name"}, (401, 200, 200, 200)),
    ("GET", "/api/v1/users", None, (401, 403, 403, 200)),
    ("GET", "/api/v1/tax-rates", None, (401, 403, 200, 200)),
    ("GET", "/api/v1/tax-currencies", None, (401, 403, 200, 200)),
    ("GET", "/api/v1/staff/shipping-methods", None, (401, 403, 200, 200)),
    ("GET", "/api/v1/shipping-methods?country=DE&currency=EUR", None, (200, 200, 200, 200)),
    ("GET", "/api/v1/users/{target}", None, (401, 404, 404, 200)),
    ("PUT", "/api/v1/users/{target}/roles/staff", None, (401, 403, 403, 200)),
    ("DELETE", "/api/v1/users/{target}/roles/staff", None, (401, 403, 403, 200)),
    ("POST", "/api/v1/users/{target}/deactivate", None, (401, 403, 403, 200)),
    ("POST", "/api/v1/users/{target}/reactivate", None, (401, 403, 403, 200)),
    ("POST", "/api/v1/auth/logout", None, (401, 204, 204, 204)),
    ("GET", "/api/v1/gift-cards", None, (401, 403, 200, 200)),
    ("GET", "/api/v1/users/me/addresses", None, (401, 200, 200, 200)),
    ("POST", "/api/v1/users/me/email-verification", None, (401, 202, 202, 202)),
    ("PUT", "/api/v1/users/{target}/roles/guest", None, (401, 403, 403, 422)),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX)
async def test_route_answers_each_role_as_the_policy_says(
    shop: Shop,
    method: str,
    path: str,
    body: dict[str, object] | None,
    expected: tuple[int, int, int, int],
) -> None:
    tokens = {
        "customer": await shop.account("customer@example.com", Role.CUSTOMER),
        "staff": await shop.account("staff@example.com", Role.STAFF),
        "admin": await shop.account("admin@example.com", Role.ADMIN),
    }
    target = (await shop.register(TARGET)).json()["id"]
    url = path.format(target=target)

    for caller, status in zip(CALLERS, expected, strict=True):
        headers = bearer(tokens[caller]) if caller in tokens else {}
        response = await shop.client.request(method, url, json=body, headers=headers)
        assert response.status_code == status, f"{caller} {method} {url}: {response.text}"
        if status >= 400:
            assert response.headers["content-type"] == "application/problem+json"


async def test_a_customer_reads_their_own_account_by_id(shop: Shop) -> None:
    token = await shop.account("self@example.com", Role.CUSTOMER)
    me = (await shop.client.get("/api/v1/users/me", headers=bearer(token))).json()
    response = await shop.client.get(f"/api/v1/users/{me['id']}", headers=bearer(token))
    assert response.status_code == 200


async def test_an_unknown_user_id_is_404_even_for_admins(shop: Shop) -> None:
    admin = await shop.account("admin@example.com", Role.ADMIN)
    response = await shop.client.get(f"/api/v1/users/{uuid.uuid4()}", headers=bearer(admin))
    assert response.status_code == 404
    assert response.json()["code"] == "user_not_found"


async def test_granting_staff_takes_effect_on_the_next_request(shop: Shop) -> None:
    admin = await shop.account("admin@example.com", Role.ADMIN)
    token = await shop.account("sam@example.com", Role.CUSTOMER)
    sam = (await shop.client.get("/api/v1/users/me", headers=bearer(token))).json()
    assert "catalog:write" not in sam["permissions"]

    granted = await shop.client.put(f"/api/v1/users/{sam['id']}/roles/staff", headers=bearer(admin))
    assert granted.json()["roles"] == ["customer", "staff"]
    me = (await shop.client.get("/api/v1/users/me", headers=bearer(token))).json()
    assert "catalog:write" in me["permissions"]


async def test_an_admin_cannot_lock_themselves_out(shop: Shop) -> None:
    admin = await shop.account("admin@example.com", Role.ADMIN)
    me = (await shop.client.get("/api/v1/users/me", headers=bearer(admin))).json()

    demote = await shop.client.delete(
        f"/api/v1/users/{me['id']}/roles/admin", headers=bearer(admin)
    )
    deactivate = await shop.client.post(
        f"/api/v1/users/{me['id']}/deactivate", headers=bearer(admin)
    )

    assert demote.status_code == deactivate.status_code == 409
    assert demote.json()["code"] == "cannot_change_own_access"
    assert (await shop.client.get("/api/v1/users/me", headers=bearer(admin))).json()["roles"] == [
        "admin"
    ]


async def test_user_list_pages_with_an_opaque_cursor(shop: Shop) -> None:
    admin = await shop.account("admin@example.com", Role.ADMIN)
    for n in range(4):
        await shop.register(f"user{n}@example.com")

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await shop.client.get("/api/v1/users", params=params, headers=bearer(admin))).json()
        seen += [u["email"] for u in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert len(seen) == len(set(seen)) == 5
    bad = await shop.client.get("/api/v1/users?cursor=garbage", headers=bearer(admin))
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_cursor"
    too_many = await shop.client.get("/api/v1/users?limit=101", headers=bearer(admin))
    assert too_many.status_code == 422
