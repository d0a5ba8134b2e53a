"""Every error class answers RFC 9457 problem+json with a stable code, and nothing leaks."""

from collections.abc import AsyncIterator
from typing import Any

import httpx

from domain.identity.values import Role
from tests.support.shop import Shop, ShopFactory, bearer

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:agora:problem:{code.replace('_', '-')}"
    assert body["instance"] == response.request.url.path
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_unknown_route_is_404(shop: Shop) -> None:
    assert_problem(await shop.client.get("/api/v1/nowhere"), 404, "not_found")


async def test_wrong_method_is_405_with_allow(shop: Shop) -> None:
    response = await shop.client.delete("/api/v1/auth/token")
    assert_problem(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST"


async def test_validation_error_names_each_field(shop: Shop) -> None:
    response = await shop.client.post(
        "/api/v1/users", json={"email": "not-an-email", "full_name": ""}
    )
    body = assert_problem(response, 422, "validation_failed")
    fields = {(e["location"], e["field"]) for e in body["errors"]}
    assert fields == {("body", "email"), ("body", "password"), ("body", "full_name")}


async def test_validation_errors_never_echo_the_input(shop: Shop) -> None:
    response = await shop.client.post(
        "/api/v1/users",
        json={"email": "x@example.com", "password": 12345678901234, "full_name": "X"},
    )
    assert response.status_code == 422
    assert "12345678901234" not in response.text


async def test_malformed_json_is_422(shop: Shop) -> None:
    response = await shop.client.post(
        "/api/v1/users", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "validation_failed")


async def test_missing_credentials_are_401_with_www_authenticate(shop: Shop) -> None:
    response = await shop.client.get("/api/v1/users/me")
    assert_problem(response, 401, "not_authenticated")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_missing_permission_is_403(shop: Shop) -> None:
    token = await shop.account("customer@example.com", Role.CUSTOMER)
    response = await shop.client.get("/api/v1/users", headers=bearer(token))
    body = assert_problem(response, 403, "permission_denied")
    assert "users:read:any" in str(body["detail"])


async def test_conflict_is_409(shop: Shop) -> None:
    await shop.register("twice@example.com")
    assert_problem(await shop.register("twice@example.com"), 409, "email_taken")


async def test_unexpected_failure_is_500_with_request_id_and_no_trace(shop: Shop) -> None:
    async def explode() -> None:
        raise RuntimeError("secret internal detail: password=hunter2")

    shop.app.add_api_route("/boom", explode)
    response = await shop.client.get("/boom", headers={"X-Request-ID": "trace-me-12345"})

    body = assert_problem(response, 500, "internal_error")
    assert body["request_id"] == "trace-me-12345"
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text


async def test_request_id_is_echoed_when_sane_and_replaced_when_not(shop: Shop) -> None:
    kept = await shop.client.get("/health/live", headers={"X-Request-ID": "abc-123.XYZ_9"})
    assert kept.headers["x-request-id"] == "abc-123.XYZ_9"
    replaced = await shop.client.get(
        "/health/live", headers={"X-Request-ID": "bad id\twith <script>"}
    )
    assert replaced.headers["x-request-id"] != "bad id\twith <script>"
    assert len(replaced.headers["x-request-id"]) == 32
    fresh = await shop.client.get("/health/live")
    assert len(fresh.headers["x-request-id"]) == 32


async def test_security_headers_are_set(shop: Shop) -> None:
    response = await shop.client.get("/health/live")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_body_over_the_limit_is_413_by_content_length(shop: Shop) -> None:
    # The test app's limit is 4096 bytes.
    response = await shop.client.post(
        "/api/v1/users",
        content=b"x" * 5000,
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 413, "payload_too_large")


async def test_streamed_body_over_the_limit_is_413_without_reading_it_all(shop: Shop) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(100):
            sent += 1024
            yield b" " * 1024

    response = await shop.client.post(
        "/api/v1/users", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "payload_too_large")
    assert sent < 100 * 1024  # refused before the whole body was consumed


async def test_body_under_the_limit_is_accepted(shop_factory: ShopFactory) -> None:
    async with shop_factory() as shop:
        response = await shop.register("fits@example.com")
        assert response.status_code == 201
