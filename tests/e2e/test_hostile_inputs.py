"""No input makes a 5xx: each input the security battery found answered 500 is answered with a
problem that names what was wrong (NUL and lone surrogates in any text, JSON nested too deep,
oversized passwords and CSV fields, non-ASCII signatures, cursors and dates out of range)."""

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from agora.settings import HttpSettings, Settings
from application.shared.pagination import encode_cursor
from domain.identity.values import Role
from infrastructure.http.signatures import sign
from tests.e2e.test_problem_details import assert_problem
from tests.support.shop import (
    ADDRESS,
    OrderingShop,
    Shop,
    a_sku,
    bearer,
    running_app,
)

NUL = "a\x00b"
SURROGATE = "a\ud800b"  # a lone surrogate: valid in a JSON escape, not encodable as UTF-8
SURROGATE_JSON = '{""c"": ""\\ud800""}'  # as a CSV cell: the JSON escape of a lone surrogate
DEEP = "[" * 5_000 + "]" * 5_000
CSV_HEADER = "sku,name,description,price,currency,category_id,attributes\n"
FAR_PAST = "0001-01-01T00:00:00+14:00"  # before year 1 once turned into UTC
HUGE_POSITION = str(2**63)


@dataclass(frozen=True)
class Refused:
    """The answer a hostile input must get: a status, a code, and the field it names (if any)."""

    status: int
    code: str
    field: str | None = None


Send = Callable[[Shop, str], Awaitable[httpx.Response]]


def invalid(field: str) -> Refused:
    return Refused(422, "validation_failed", field)


BAD_CURSOR = Refused(400, "invalid_cursor")


def send_json(
    shop: Shop, method: str, path: str, body: Any, headers: dict[str, str] | None = None
) -> Awaitable[httpx.Response]:
    """JSON with ASCII escapes, so a lone surrogate travels as `\\ud800` (as a client sends it)."""
    return shop.client.request(
        method,
        path,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"} | (headers or {}),
    )


async def a_product(shop: Shop, staff: str) -> dict[str, Any]:
    return await shop.product(staff, name="Teapot")


async def in_cart(shop: Shop, token: str) -> None:
    staff = await shop.account(f"s-{uuid.uuid4().hex[:8]}@example.com", Role.STAFF)
    product = await a_product(shop, staff)
    put = await shop.client.put(
        f"/api/v1/cart/lines/{product['sku']}", json={"quantity": 1}, headers=bearer(token)
    )
    assert put.status_code == 200, put.text


def signed_callback(body: bytes, content_type: str = "application/json") -> Send:
    """A callback signed with the shop's own secret, so only its body is wrong."""

    def send(shop: Shop, _: str) -> Awaitable[httpx.Response]:
        secret = shop.settings.payments.webhook_secret.get_secret_value()
        signature = sign(secret, body, at=datetime.now(UTC))
        headers = {"Agora-Signature": signature, "Content-Type": content_type}
        return shop.client.post("/api/v1/payments/webhook", content=body, headers=headers)

    return send


def csv_import(shop: Shop, token: str, rows: str) -> Awaitable[httpx.Response]:
    return shop.client.post(
        "/api/v1/products/import", content=(CSV_HEADER + rows).encode(), headers=bearer(token)
    )


async def own_id(shop: Shop, token: str) -> str:
    return str((await shop.client.get("/api/v1/users/me", headers=bearer(token))).json()["id"])


def register(**fields: Any) -> Send:
    body = {"email": "new@example.com", "password": "a-long-enough-passphrase", "full_name": "N"}
    return lambda shop, _: send_json(shop, "POST", "/api/v1/users", body | fields)


def log_in(username: str, password: str) -> Send:
    return lambda shop, _: shop.client.post(
        "/api/v1/auth/token", data={"username": username, "password": password}
    )


def products(**params: str) -> Send:
    return lambda shop, _: shop.client.get("/api/v1/products", params=params)


def get(path: str, **params: str) -> Send:
    return lambda shop, token: shop.client.get(path, params=params, headers=bearer(token))


def post(path: str, body: Any) -> Send:
    return lambda shop, token: send_json(shop, "POST", path, body, bearer(token))


def new_product(**fields: Any) -> Send:
    body = {"sku": a_sku(), "name": "Mug", "price": {"amount": "9.90", "currency": "EUR"}}
    return post("/api/v1/products", body | fields)


def patch_me(full_name: str) -> Send:
    return lambda shop, token: send_json(
        shop, "PATCH", "/api/v1/users/me", {"full_name": full_name}, bearer(token)
    )


def change_password(new_password: str) -> Send:
    body = {"current_password": "x", "new_password": new_password}
    return lambda shop, token: send_json(
        shop, "PUT", "/api/v1/users/me/password", body, bearer(token)
    )


def check_out(**address: str) -> Send:
    async def send(shop: Shop, token: str) -> httpx.Response:
        await in_cart(shop, token)
        body = {"shipping_address": ADDRESS | address, "payment_token": "tok_approve"}
        headers = bearer(token) | {"Idempotency-Key": uuid.uuid4().hex}
        return await send_json(shop, "POST", "/api/v1/checkout", body, headers)

    return send


def adjust(reason: str) -> Send:
    async def send(shop: Shop, token: str) -> httpx.Response:
        sku = (await a_product(shop, token))["sku"]
        received = await shop.client.post(
            f"/api/v1/inventory/{sku}/receipts", json={"quantity": 1}, headers=bearer(token)
        )
        assert received.status_code == 200, received.text
        return await shop.client.post(
            f"/api/v1/inventory/{sku}/adjustments",
            json={"delta": 1, "reason": reason},
            headers=bearer(token),
        )

    return send


def ledger(cursor: str) -> Send:
    async def send(shop: Shop, token: str) -> httpx.Response:
        sku = (await a_product(shop, token))["sku"]
        return await shop.client.get(
            f"/api/v1/inventory/{sku}/ledger", params={"cursor": cursor}, headers=bearer(token)
        )

    return send


def history(cursor: str) -> Send:
    async def send(shop: Shop, token: str) -> httpx.Response:
        path = f"/api/v1/users/{await own_id(shop, token)}/history"
        return await shop.client.get(path, params={"cursor": cursor}, headers=bearer(token))

    return send


def fresh_signature(digest: bytes) -> Send:
    """A fresh signature header whose digest is these raw bytes."""
    header = b"t=%d,v1=%s" % (int(datetime.now(UTC).timestamp()), digest)
    return lambda shop, _: shop.client.post(
        "/api/v1/payments/webhook", content=b"{}", headers={b"Agora-Signature": header}
    )


def webhook(**fields: Any) -> Send:
    body = {
        "url": "https://93.184.215.14/hooks",  # a public address: the guard needs no DNS
        "event_types": ["OrderPaid"],
        "secret": "a-webhook-secret-of-some-length",
    }
    return post("/api/v1/webhooks", body | fields)


ANY_ID = str(uuid.uuid4())

# (who calls, what is sent, how it must be refused)
CASES: dict[str, tuple[Role | None, Send, Refused]] = {
    # -- without logging in
    "search text with NUL": (None, products(q=NUL), invalid("q")),
    "attributes filter with NUL": (
        None,
        products(attributes='{"c": "\\u0000"}'),
        Refused(422, "invalid_product"),
    ),
    "attributes filter with a lone surrogate": (
        None,
        products(attributes='{"c": "\\ud800"}'),
        Refused(422, "invalid_product"),
    ),
    "attributes filter nested deep": (
        None,
        products(attributes="[" * 999),
        Refused(422, "invalid_product"),
    ),
    "price cursor with a huge exponent": (
        None,
        products(sort="price", cursor=encode_cursor(["price", "1E+999999999", ANY_ID])),
        BAD_CURSOR,
    ),
    "newest cursor before year 1 in UTC": (
        None,
        products(cursor=encode_cursor(["newest", FAR_PAST, ANY_ID])),
        BAD_CURSOR,
    ),
    "login name with NUL": (None, log_in(f"{NUL}@example.com", "whatever"), invalid("username")),
    "registration name with NUL": (None, register(full_name=NUL), invalid("full_name")),
    "refresh token with NUL": (
        None,
        lambda shop, _: shop.client.post("/api/v1/auth/refresh", json={"refresh_token": NUL}),
        invalid("refresh_token"),
    ),
    "non-ASCII byte in the payment signature": (
        None,
        fresh_signature(b"\xe9"),
        Refused(401, "invalid_signature"),
    ),
    "signed payment callback nested deep": (
        None,
        signed_callback(b"[" * 4_000),
        invalid("body"),
    ),
    "signed payment callback nested deep, sent as text": (
        None,
        signed_callback(b"[" * 4_000, "text/plain"),
        Refused(400, "invalid_webhook_payload"),
    ),
    "request body nested deep": (
        None,
        lambda shop, _: shop.client.post(
            "/api/v1/users", content=b"[" * 4_000, headers={"Content-Type": "application/json"}
        ),
        invalid("body"),
    ),
    "request body nested deep, declared JSON and then text": (
        None,
        lambda shop, _: shop.client.post(
            "/api/v1/users",
            content=b"[" * 4_000,
            headers=[("Content-Type", "application/json"), ("Content-Type", "text/plain")],
        ),
        invalid("body"),
    ),
    # -- a customer
    "profile name with NUL": (Role.CUSTOMER, patch_me(NUL), invalid("full_name")),
    "new password with NUL": (Role.CUSTOMER, change_password(NUL * 12), invalid("new_password")),
    "shipping address with NUL": (
        Role.CUSTOMER,
        check_out(line1=NUL),
        invalid("shipping_address.line1"),
    ),
    "order cursor before year 1 in UTC": (
        Role.CUSTOMER,
        get("/api/v1/orders", cursor=encode_cursor([FAR_PAST, ANY_ID])),
        BAD_CURSOR,
    ),
    "history cursor past int64": (
        Role.CUSTOMER,
        history(encode_cursor([HUGE_POSITION])),
        BAD_CURSOR,
    ),
    # -- staff
    "product name with NUL": (Role.STAFF, new_product(name=NUL), invalid("name")),
    "product attribute value with NUL": (
        Role.STAFF,
        new_product(attributes={"colour": NUL}),
        invalid("attributes.colour"),
    ),
    "category name with NUL": (
        Role.STAFF,
        post("/api/v1/categories", {"name": NUL}),
        invalid("name"),
    ),
    "stock adjustment reason with NUL": (Role.STAFF, adjust(f"broken {NUL}"), invalid("reason")),
    "ledger cursor past int64": (Role.STAFF, ledger(encode_cursor([HUGE_POSITION])), BAD_CURSOR),
    "placed_from before year 1 in UTC": (
        Role.STAFF,
        get("/api/v1/staff/orders", placed_from=FAR_PAST),
        invalid("placed_from"),
    ),
    "placed_to past year 9999 in UTC": (
        Role.STAFF,
        get("/api/v1/staff/orders", placed_to="9999-12-31T23:59:59-14:00"),
        invalid("placed_to"),
    ),
    "CSV row with NUL": (
        Role.STAFF,
        lambda shop, token: csv_import(shop, token, f"{a_sku()},Mug{NUL},,9.90,EUR,,\n"),
        Refused(200, ""),
    ),
    "CSV attributes with a lone surrogate": (
        Role.STAFF,
        lambda shop, token: csv_import(
            shop, token, f'{a_sku()},Mug,,9.90,EUR,,"{SURROGATE_JSON}"\n'
        ),
        Refused(200, ""),
    ),
    "CSV attributes nested deep": (
        Role.STAFF,
        lambda shop, token: csv_import(shop, token, f'{a_sku()},Mug,,9.90,EUR,,"{DEEP}"\n'),
        Refused(200, ""),
    ),
    "CSV field over 131,072 characters": (
        Role.STAFF,
        lambda shop, token: csv_import(shop, token, f"{a_sku()},{'x' * 131_073},,9.90,EUR,,\n"),
        Refused(422, "invalid_product"),
    ),
    # -- an admin
    "account cursor before year 1 in UTC": (
        Role.ADMIN,
        get("/api/v1/users", cursor=encode_cursor([FAR_PAST, ANY_ID])),
        BAD_CURSOR,
    ),
    "API key name with NUL": (
        Role.ADMIN,
        post("/api/v1/api-keys", {"name": NUL, "scopes": ["orders:fulfil"]}),
        invalid("name"),
    ),
    "webhook event type with NUL": (
        Role.ADMIN,
        webhook(event_types=[NUL]),
        invalid("event_types.0"),
    ),
    "webhook URL with port 0": (
        Role.ADMIN,
        webhook(url="https://93.184.215.14:0/hooks"),
        Refused(422, "unsafe_webhook_url"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_a_hostile_input_is_refused_with_a_4xx_naming_it(shop: Shop, case: str) -> None:
    role, send, refused = CASES[case]
    token = "" if role is None else await shop.account(f"{role}@example.com", role)
    response = await send(shop, token)
    if refused.status == 200:  # a CSV import reports the row it refused, and imports the rest
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 0
        assert [r["line"] for r in response.json()["rejected"]] == [2]
        return
    body = assert_problem(response, refused.status, refused.code)
    if refused.field is not None:
        assert refused.field in {e["field"] for e in body["errors"]}, body


async def test_a_login_password_over_4096_bytes_is_refused_before_hashing(
    settings: Settings,
) -> None:
    """Under the default body limit (the tests' own is 4,096 bytes, too small to send it)."""
    roomy = settings.model_copy(update={"http": HttpSettings()})
    async with running_app(roomy) as (_, client):
        response = await client.post(
            "/api/v1/auth/token", data={"username": "ada@example.com", "password": "p" * 4_097}
        )
    body = assert_problem(response, 422, "validation_failed")
    assert "password" in {e["field"] for e in body["errors"]}


async def order_paid(shop: OrderingShop) -> tuple[str, str]:
    customer = await shop.customer()
    product = await shop.stocked_product(5)
    await shop.fill_cart(customer, product["sku"])
    placed = await shop.check_out(customer)
    assert placed.status_code == 201, placed.text
    order_id = str(placed.json()["id"])
    await shop.wait_status(customer, order_id, "paid")
    return customer, order_id


async def test_order_texts_with_nul_or_lone_surrogates_are_refused(
    ordering_shop: OrderingShop,
) -> None:
    shop = ordering_shop
    customer, order_id = await order_paid(shop)
    staff = bearer(shop.staff)
    path = f"/api/v1/orders/{order_id}"
    answers = {
        "tracking_number": await shop.client.post(
            f"{path}/ship", json={"tracking_number": NUL}, headers=staff
        ),
        "carrier": await send_json(
            shop, "POST", f"{path}/ship", {"tracking_number": "1Z", "carrier": SURROGATE}, staff
        ),
        "reason": await shop.client.post(f"{path}/refund", json={"reason": NUL}, headers=staff),
    }
    cancelled = await send_json(
        shop,
        "POST",
        f"{path}/cancel",
        {"reason": SURROGATE},
        bearer(customer) | {"Idempotency-Key": uuid.uuid4().hex},
    )
    for field, response in [*answers.items(), ("reason", cancelled)]:
        body = assert_problem(response, 422, "validation_failed")
        assert field in {e["field"] for e in body["errors"]}, body
    assert (await shop.order(customer, order_id)).json()["status"] == "paid"
