"""The HTTP server as `agora serve` runs it (its uvicorn options, over real TCP): request
headers are bounded, and X-Forwarded-For is believed only from the proxies listed."""

import httpx

from agora.settings import HttpSettings
from tests.support.servers import endless_header, served
from tests.support.shop import ShopFactory


async def test_oversized_request_headers_are_refused_before_the_app(
    shop_factory: ShopFactory,
) -> None:
    async with (
        shop_factory() as shop,
        served(shop.app) as base,
        httpx.AsyncClient(base_url=base, timeout=10) as client,
    ):
        assert (await client.get("/health/live")).status_code == 200
        padded = await client.get("/health/live", headers={"X-Padding": "x" * 16_384})
        assert padded.status_code == 431
        assert padded.json()["code"] == "headers_too_large"
        # A header block that would not end is cut off by the server before the app.
        assert (await endless_header(base)).startswith(b"HTTP/1.1 400 ")
        assert (await client.get("/health/live")).status_code == 200


async def guesses_until_refused(base: str, forwarded_for: list[str]) -> list[int]:
    """Failed logins from this machine, each claiming to be forwarded for another client."""
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        return [
            (
                await client.post(
                    "/api/v1/auth/token",
                    data={"username": f"u{n}@example.com", "password": "a-wrong-password"},
                    headers={"X-Forwarded-For": address},
                )
            ).status_code
            for n, address in enumerate(forwarded_for)
        ]


async def test_x_forwarded_for_from_an_unlisted_peer_does_not_pick_a_throttle_bucket(
    shop_factory: ShopFactory,
) -> None:
    forged = ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
    async with shop_factory(login_limit_per_ip="2/minute") as shop:
        async with served(shop.app) as base:  # the defaults: no proxy trusted
            assert await guesses_until_refused(base, forged) == [401, 401, 429]
        # A listed proxy is believed: each forwarded client has its own bucket.
        async with served(shop.app, HttpSettings(forwarded_allow_ips="127.0.0.1")) as base:
            assert await guesses_until_refused(base, ["198.51.100.7"] * 3) == [401, 401, 429]
            assert await guesses_until_refused(base, ["198.51.100.8"]) == [401]
