"""Creating products over HTTP for catalog tests."""

import uuid
from typing import Any

from tests.e2e.conftest import Shop, bearer


def a_sku(prefix: str = "P") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}".upper()


async def product(
    shop: Shop,
    staff: str,
    *,
    name: str,
    price: str = "10.00",
    currency: str = "EUR",
    publish: bool = True,
    **fields: Any,
) -> dict[str, Any]:
    body = {"sku": a_sku(), "name": name, "price": {"amount": price, "currency": currency}} | fields
    created = await shop.client.post("/api/v1/products", json=body, headers=bearer(staff))
    assert created.status_code == 201, created.text
    if publish:
        published = await shop.client.post(
            f"/api/v1/products/{created.json()['id']}/publish", headers=bearer(staff)
        )
        assert published.status_code == 200
        return dict(published.json())
    return dict(created.json())
