"""The address book over HTTP: save, list, read, replace with If-Match, choose defaults,
delete; another customer's address is 404, and a guest has no address book (403)."""

from typing import Any

from domain.identity.values import Role
from tests.support.shop import Shop, bearer

URL = "/api/v1/users/me/addresses"
HOME: dict[str, Any] = {
    "label": "Home",
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
    "region": "GB-LND",
    "phone": "+44 20 7946 0000",
}
WORK = HOME | {"label": "Work", "line1": "1 Rue de Rivoli", "city": "Paris", "country": "FR"}
WORK |= {"postal_code": "75001", "region": None, "phone": None}


async def test_a_customer_saves_reads_replaces_and_deletes_addresses(shop: Shop) -> None:
    me = bearer(await shop.account("ada@example.com", Role.CUSTOMER))
    created = await shop.client.post(URL, json=HOME, headers=me)
    assert created.status_code == 201, created.text
    home = created.json()
    assert created.headers["location"] == f"{URL}/{home['id']}"
    assert created.headers["etag"] == '"1"'
    assert home["default_for"] == ["shipping", "billing"]
    work = (await shop.client.post(URL, json=WORK, headers=me)).json()
    assert work["default_for"] == []

    read = await shop.client.get(f"{URL}/{work['id']}", headers=me)
    assert (read.status_code, read.json()["city"], read.headers["etag"]) == (200, "Paris", '"1"')

    moved = WORK | {"city": "Lyon", "postal_code": "69001"}
    unconditional = await shop.client.put(f"{URL}/{work['id']}", json=moved, headers=me)
    assert unconditional.status_code == 428
    stale = await shop.client.put(
        f"{URL}/{work['id']}", json=moved, headers=me | {"If-Match": '"7"'}
    )
    assert (stale.status_code, stale.json()["code"]) == (412, "precondition_failed")
    replaced = await shop.client.put(
        f"{URL}/{work['id']}", json=moved, headers=me | {"If-Match": read.headers["etag"]}
    )
    assert (replaced.status_code, replaced.headers["etag"]) == (200, '"2"')
    assert replaced.json()["city"] == "Lyon"

    chosen = await shop.client.put(f"{URL}/{work['id']}/default/shipping", headers=me)
    assert chosen.json()["default_for"] == ["shipping"]
    listed = (await shop.client.get(URL, headers=me)).json()["items"]
    assert [(a["label"], a["default_for"]) for a in listed] == [
        ("Home", ["billing"]),
        ("Work", ["shipping"]),
    ]

    deleted = await shop.client.delete(f"{URL}/{work['id']}", headers=me)
    assert deleted.status_code == 204
    gone = await shop.client.get(f"{URL}/{work['id']}", headers=me)
    assert (gone.status_code, gone.json()["code"]) == (404, "address_not_found")
    [left] = (await shop.client.get(URL, headers=me)).json()["items"]
    assert left["default_for"] == ["billing"]


async def test_another_customers_address_is_not_found(shop: Shop) -> None:
    owner = bearer(await shop.account("owner@example.com", Role.CUSTOMER))
    other = bearer(await shop.account("other@example.com", Role.CUSTOMER))
    address = (await shop.client.post(URL, json=HOME, headers=owner)).json()
    path = f"{URL}/{address['id']}"

    for response in (
        await shop.client.get(path, headers=other),
        await shop.client.put(path, json=WORK, headers=other | {"If-Match": '"1"'}),
        await shop.client.delete(path, headers=other),
        await shop.client.put(f"{path}/default/billing", headers=other),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "address_not_found")
    assert (await shop.client.get(URL, headers=other)).json()["items"] == []
    assert (await shop.client.get(path, headers=owner)).json()["city"] == "London"


async def test_a_malformed_address_is_refused_with_the_reason(shop: Shop) -> None:
    me = bearer(await shop.account("ada@example.com", Role.CUSTOMER))
    refused = await shop.client.post(URL, json=HOME | {"region": "FR-75"}, headers=me)
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_postal_address")
    assert "GB-" in refused.json()["detail"]
    unknown = await shop.client.post(URL, json=HOME | {"roles": ["admin"]}, headers=me)
    assert unknown.status_code == 422


async def test_a_guest_has_no_address_book(shop: Shop) -> None:
    guest = bearer((await shop.client.post("/api/v1/auth/guest")).json()["access_token"])
    assert (await shop.client.get(URL, headers=guest)).status_code == 403
    refused = await shop.client.post(URL, json=HOME, headers=guest)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
