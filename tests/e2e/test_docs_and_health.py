"""Swagger UI and ReDoc work offline; the OpenAPI document is complete; health probes answer."""

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from agora.bootstrap import api_config
from agora.seed import DEMO_ACCOUNTS, DEMO_PASSWORD
from agora.settings import AppSettings, Settings
from api.app import create_app
from infrastructure.eventlog.checkpoints import ensure_checkpoint, set_status
from tests.support.settings import settings_for
from tests.support.shop import Shop, running_app

EXTERNAL_URL = re.compile(r"""(?:src|href)=["']?(https?:)?//""")


async def test_swagger_ui_and_redoc_load_their_assets_from_the_app(shop: Shop) -> None:
    for page in ("/docs", "/redoc"):
        html = (await shop.client.get(page)).text
        assert not EXTERNAL_URL.search(html), f"{page} references an external asset"
        assets = re.findall(r"""(?:src|href)=["']?(/static/docs/[^"' >]+)""", html)
        assert assets, page
        for asset in assets:
            response = await shop.client.get(asset)
            assert response.status_code == 200, asset
            assert len(response.content) > 100


async def test_swagger_authorize_uses_the_password_flow_token_url(shop: Shop) -> None:
    spec = (await shop.client.get("/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    flow = schemes["OAuth2PasswordBearer"]["flows"]["password"]
    assert flow["tokenUrl"] == "/api/v1/auth/token"


async def test_every_route_has_a_summary_and_documents_its_errors(shop: Shop) -> None:
    spec = (await shop.client.get("/openapi.json")).json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            assert operation.get("tags"), f"{method} {path} has no tag"
            if path.startswith("/api/") and operation.get("security"):
                assert "401" in operation["responses"], f"{method} {path} omits 401"


async def test_live_and_ready(shop: Shop) -> None:
    assert (await shop.client.get("/health/live")).json() == {"status": "ok"}
    ready = await shop.client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
    assert ready.json()["reasons"] == {}


async def test_ready_is_503_naming_the_dependency_that_is_down(
    database_url: str, redis_prefix: str
) -> None:
    dead_redis = "redis://127.0.0.1:1/0"
    settings = settings_for(
        database_url=database_url, redis_url=dead_redis, redis_prefix=redis_prefix
    )
    async with running_app(settings) as (_, client):
        response = await client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": "ok", "redis": "unavailable"}
    assert body["reasons"] == {"redis": "unreachable"}


async def test_ready_shows_a_failing_subscriber_without_its_error_text(
    shop: Shop, engine: AsyncEngine
) -> None:
    await ensure_checkpoint(engine, "order-views")
    await set_status(engine, "order-views", "stopped", error="KeyError: 'card 4242 of ada'")
    response = await shop.client.get("/health/ready")
    assert response.status_code == 200
    (views,) = [s for s in response.json()["subscribers"] if s["name"] == "order-views"]
    assert views["status"] == "stopped"
    assert views["failing"] is True
    assert "last_error" not in views
    assert "4242" not in response.text


def _description(settings: Settings) -> str:
    app = create_app(config=api_config(settings), services=open_services_unused)
    return str(app.openapi()["info"]["description"])


def open_services_unused() -> Any:
    raise AssertionError("the document is built without opening services")


def test_the_docs_show_the_demo_accounts_in_demo_mode_only(settings: Settings) -> None:
    demo = settings.model_copy(update={"app": AppSettings(env="test", demo=True)})
    shown = _description(demo)
    assert all(account.email in shown for account in DEMO_ACCOUNTS)
    assert DEMO_PASSWORD in shown
    assert DEMO_PASSWORD not in _description(settings)


async def test_swagger_ui_fills_a_fresh_idempotency_key_and_hides_client_fields(
    shop: Shop,
) -> None:
    html = (await shop.client.get("/docs")).text
    assert "crypto.randomUUID" in html
    assert '"Idempotency-Key"' in html
    assert 'input[id^="client_id"]' in html
