"""Prometheus metrics scraped from a real `agora serve` and a real `agora worker`, each on its
own metrics port, while a checkout goes through to paid: the counters move."""

import asyncio
import os
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from agora.settings import Settings
from domain.identity.values import Role
from infrastructure.payments.simulated import SimulatedProvider
from tests.support.servers import AGORA, free_port, replica
from tests.support.settings import TEST_JWT_SECRET
from tests.support.shop import ADDRESS, OrderingShop, bearer, running_app

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(port: int) -> Samples:
    """Every sample of one process's `/metrics`, parsed by prometheus-client's own parser."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@contextmanager
def worker(settings: Settings, metrics_port: int) -> Iterator[None]:
    """`agora worker` in a subprocess on the test's database and Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "WORKER_"))}
    with tempfile.TemporaryDirectory() as data_dir:
        env |= {
            "DATABASE_URL": str(settings.database.url),
            "REDIS_URL": str(settings.redis.url),
            "REDIS_KEY_PREFIX": settings.redis.key_prefix,
            "AUTH_JWT_SECRET": TEST_JWT_SECRET,
            "AGORA_ENV": "test",
            "AGORA_LOG_LEVEL": "WARNING",
            "AGORA_DATA_DIR": data_dir,
            "WORKER_POLL_INTERVAL_SECONDS": "0.2",
            "PAYMENTS_LATENCY_MS": "0",
            "METRICS_PORT": str(metrics_port),
        }
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [AGORA, "worker"], env=env, stdout=subprocess.DEVNULL
        )
        try:
            yield
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


async def until_scraped(port: int) -> Samples:
    for _ in range(200):
        try:
            return await asyncio.to_thread(scrape, port)
        except httpx.TransportError:
            await asyncio.sleep(0.1)
    raise AssertionError(f"nothing answers on metrics port {port}")


async def test_a_checkout_to_paid_moves_the_api_and_worker_counters(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_app(settings) as (app, client):
        shop = OrderingShop(app=app, client=client, settings=settings, provider=SimulatedProvider())
        shop.staff = await shop.account("staff@example.com", Role.STAFF)
        customer = await shop.customer()
        teapot = await shop.stocked_product(3)
        await shop.fill_cart(customer, teapot["sku"], 1)

    api_port, worker_port = free_port(), free_port()
    monkeypatch.setenv("METRICS_PORT", str(api_port))
    with (
        worker(settings, worker_port),
        replica(settings, str(settings.database.url), str(settings.redis.url)) as base,
    ):
        api_before = await until_scraped(api_port)
        worker_before = await until_scraped(worker_port)
        async with httpx.AsyncClient(base_url=base, timeout=20) as http:
            assert (await http.get("/metrics")).status_code == 404, "never on the API's port"
            placed = await http.post(
                "/api/v1/checkout",
                json={"shipping_address": ADDRESS, "payment_token": "tok_approve"},
                headers=bearer(customer) | {"Idempotency-Key": "metrics-test-key-1"},
            )
            assert placed.status_code == 201, placed.text
            order_id = placed.json()["id"]
            for _ in range(400):
                order = await http.get(f"/api/v1/orders/{order_id}", headers=bearer(customer))
                if order.json()["status"] == "paid":
                    break
                await asyncio.sleep(0.05)
            assert order.json()["status"] == "paid"
        api = await until_scraped(api_port)
        work = await until_scraped(worker_port)

    route = {"method": "POST", "route": "/api/v1/checkout"}
    assert value(api, "agora_http_requests_total", **route, status="201") == 1 + value(
        api_before, "agora_http_requests_total", **route, status="201"
    )
    latency = "agora_http_request_duration_seconds_count"
    assert value(api, latency, **route) == value(api_before, latency, **route) + 1
    detail = {"method": "GET", "route": "/api/v1/orders/{order_id}", "status": "200"}
    assert value(api, "agora_http_requests_total", **detail) >= 1, "the template, not the path"
    assert not [k for k in api if order_id in str(k)], "no raw path in any label"
    events = "agora_events_committed_total"
    assert (
        value(api, events, type="OrderPlaced") == value(api_before, events, type="OrderPlaced") + 1
    )
    assert value(api, "agora_db_pool_size") >= 1

    assert (
        value(work, events, type="OrderPaid") == value(worker_before, events, type="OrderPaid") + 1
    )
    payment = {"operation": "authorize", "outcome": "ok"}
    assert value(work, "agora_payment_provider_seconds_count", **payment) == 1 + value(
        worker_before, "agora_payment_provider_seconds_count", **payment
    )
    assert value(work, "agora_payment_circuit", agora_payment_circuit="closed") == 1
    assert ("agora_subscriber_lag_seconds", frozenset({("subscriber", "fulfilment")})) in work
    assert value(work, "agora_subscriber_dead_letters", subscriber="fulfilment") == 0
    assert value(work, "agora_subscriber_running", subscriber="fulfilment") == 1
