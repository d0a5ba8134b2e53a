"""Search by the variants' options over HTTP: staff sell three T-shirts in sizes and colours;
`option=size:M` finds those with an active M variant, and `facets=options` counts them by every
value their active variants have, in the page's statement and one more."""

from typing import Any

import httpx
import pytest

from domain.identity.values import Role
from infrastructure.db.statements import counting_statements
from tests.support.shop import Shop, a_sku, bearer

OPTIONS = [
    {"name": "size", "values": ["S", "M", "L"]},
    {"name": "colour", "values": ["red", "blue"]},
]


async def a_tee(shop: Shop, staff: str, *others: tuple[str, str, bool]) -> str:
    """A published T-shirt sold as S/red (its default variant) and the (size, colour, active)
    variants given."""
    product = await shop.product(staff, name="T-shirt", publish=False, options=OPTIONS)
    for size, colour, active in others:
        added = await shop.client.post(
            f"/api/v1/products/{product['id']}/variants",
            json={
                "sku": a_sku("TEE"),
                "options": {"size": size, "colour": colour},
                "prices": [{"amount": "19.90", "currency": "EUR"}],
            },
            headers=bearer(staff) | {"If-Match": f'"{product["version"]}"'},
        )
        assert added.status_code == 201, added.text
        product = added.json()
        if not active:
            hidden = await shop.client.patch(
                f"/api/v1/products/{product['id']}/variants/{product['variants'][-1]['id']}",
                json={"active": False},
                headers=bearer(staff) | {"If-Match": f'"{product["version"]}"'},
            )
            assert hidden.status_code == 200, hidden.text
            product = hidden.json()
    published = await shop.client.post(
        f"/api/v1/products/{product['id']}/publish", headers=bearer(staff)
    )
    assert published.status_code == 200, published.text
    return str(product["id"])


async def test_search_by_option_counts_the_values_of_active_variants(shop: Shop) -> None:
    staff = await shop.account("staff@example.com", Role.STAFF)
    red = await a_tee(shop, staff, ("M", "red", True))
    hidden_medium = await a_tee(shop, staff, ("M", "blue", False), ("L", "blue", True))
    blue = await a_tee(shop, staff, ("M", "blue", True))

    params = {"facets": "options", "option": "size:M"}
    with counting_statements() as counted:
        found = await shop.client.get("/api/v1/products", params=params)
    assert found.status_code == 200, found.text
    assert counted.statements == 2  # the page, then every facet at once
    body = found.json()
    assert {item["id"] for item in body["items"]} == {red, blue}
    assert body["facets"]["options"] == [
        {"name": "colour", "values": [{"value": "red", "count": 2}, {"value": "blue", "count": 1}]},
        {"name": "size", "values": [{"value": "M", "count": 2}, {"value": "S", "count": 2}]},
    ]

    both = await shop.client.get(
        "/api/v1/products", params=[("option", "colour:blue"), ("option", "size:M")]
    )
    assert [item["id"] for item in both.json()["items"]] == [blue]
    # The list is cached; hiding the variant drops every cached list page.
    staff_view = (await shop.client.get(f"/api/v1/products/{blue}", headers=bearer(staff))).json()
    hidden = await shop.client.patch(
        f"/api/v1/products/{blue}/variants/{staff_view['variants'][-1]['id']}",
        json={"active": False},
        headers=bearer(staff) | {"If-Match": f'"{staff_view["version"]}"'},
    )
    assert hidden.status_code == 200, hidden.text
    again = await shop.client.get(
        "/api/v1/products", params=[("option", "colour:blue"), ("option", "size:M")]
    )
    assert again.json()["items"] == []
    everything = await shop.client.get("/api/v1/products", params={"facets": "options"})
    sizes = {o["name"]: o["values"] for o in everything.json()["facets"]["options"]}["size"]
    assert sizes == [
        {"value": "S", "count": 3},
        {"value": "L", "count": 1},
        {"value": "M", "count": 1},
    ]
    assert hidden_medium in {item["id"] for item in everything.json()["items"]}


@pytest.mark.parametrize(
    "filters",
    [
        ["size"],
        ["Size:M"],
        ["size:"],
        ["size:M", "size:L"],
        ["size:M", "colour:red", "fit:slim", "sleeve:long"],
    ],
)
async def test_a_malformed_option_filter_is_a_problem(shop: Shop, filters: list[str]) -> None:
    answer: httpx.Response = await shop.client.get(
        "/api/v1/products", params=[("option", f) for f in filters]
    )
    assert answer.status_code == 422
    problem: dict[str, Any] = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == "invalid_option_filter"
