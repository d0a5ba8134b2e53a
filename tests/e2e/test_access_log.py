"""One structured access-log line per request; no password or token ever reaches a log."""

import json
import logging

import pytest

from agora.logging_config import JsonFormatter
from tests.support.shop import PASSWORD, Shop, bearer


async def test_each_request_logs_one_line_with_its_fields(
    shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    await shop.register("logged@example.com")
    token = await shop.token_for("logged@example.com")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="agora.access"):
        response = await shop.client.get(
            "/api/v1/users/me?debug=1", headers=bearer(token) | {"X-Request-ID": "req-0000001"}
        )

    lines = [r for r in caplog.records if r.name == "agora.access"]
    assert len(lines) == 1
    entry = json.loads(JsonFormatter().format(lines[0]))
    assert entry["method"] == "GET"
    assert entry["path"] == "/api/v1/users/me"  # no query string: it may carry secrets
    assert entry["status"] == 200
    assert entry["request_id"] == "req-0000001"
    assert entry["user_id"] == response.json()["id"]
    assert isinstance(entry["duration_ms"], float)


async def test_passwords_and_tokens_never_appear_in_any_log(
    shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await shop.register("quiet@example.com")
        pair = (await shop.log_in("quiet@example.com")).json()
        await shop.client.post(
            "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
        )
        await shop.client.post(
            "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
        )
        await shop.client.get("/api/v1/users/me", headers=bearer(pair["access_token"]))
        await shop.log_in("quiet@example.com", "a-wrong-password-123")

    formatter = JsonFormatter()
    everything = "\n".join(formatter.format(r) for r in caplog.records)
    assert caplog.records  # something was logged, so the check below means something
    for secret in (PASSWORD, "a-wrong-password-123", pair["access_token"], pair["refresh_token"]):
        assert secret not in everything
