"""The observability profile's files agree with the code: the settings they set exist, Prometheus
scrapes the port the processes serve on, the dashboard asks only for metrics Agora exports, and
nothing of it is published beyond the host's loopback."""

import asyncio
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

import api.middleware.telemetry  # noqa: F401 - declares the HTTP metrics
from agora.settings import environment_variables
from infrastructure.db.engine import build_engine
from infrastructure.eventlog.monitoring import SubscriptionStatus
from infrastructure.telemetry.metrics import PoolCollector, SubscriptionCollector

DOCKER = Path(__file__).resolve().parents[2] / "docker"
OVERRIDE = DOCKER / "observability.yaml"
PROFILE = "observability"


def override_environment() -> dict[str, dict[str, str]]:
    services = yaml.safe_load(OVERRIDE.read_text())["services"]
    return {name: dict(svc["environment"]) for name, svc in services.items()}


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    running = asyncio.new_event_loop()
    thread = threading.Thread(target=running.run_forever, daemon=True)
    thread.start()
    yield running
    running.call_soon_threadsafe(running.stop)
    thread.join(5)
    running.close()


def exported_names(loop: asyncio.AbstractEventLoop) -> set[str]:
    """Every sample name Agora's process registry and collectors produce."""

    async def statuses() -> list[SubscriptionStatus]:
        return [SubscriptionStatus("kafka-relay", "running", 1, 0, 0.0, 0, None, 0)]

    engine = build_engine("postgresql://nobody@127.0.0.1:1/none", pool_size=1)
    families = [
        *REGISTRY.collect(),
        *PoolCollector(engine).collect(),
        *SubscriptionCollector(statuses, loop=loop).collect(),
    ]
    names = {family.name for family in families}
    for family in families:
        names |= {family.name + suffix for suffix in ("_total", "_bucket", "_count", "_sum")}
    return names


def test_the_override_sets_only_real_settings_on_agora_services() -> None:
    known = environment_variables()
    for service, env in override_environment().items():
        assert service in {"api", "worker"}
        assert set(env) <= set(known), f"{service}: {set(env) - set(known)}"


def test_prometheus_scrapes_the_port_every_process_serves_its_metrics_on() -> None:
    ports = {env["METRICS_PORT"] for env in override_environment().values()}
    scrape = yaml.safe_load((DOCKER / "prometheus.yml").read_text())["scrape_configs"]
    targets = {(d["names"][0], str(d["port"])) for job in scrape for d in job["dns_sd_configs"]}
    assert targets == {(name, port) for name in ("api", "worker") for port in ports}


def test_the_dashboard_asks_only_for_metrics_agora_exports(
    loop: asyncio.AbstractEventLoop,
) -> None:
    dashboard: dict[str, Any] = json.loads((DOCKER / "grafana/dashboards/agora.json").read_text())
    asked = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\bagora_[a-z_]+", target["expr"])
    }
    assert asked
    assert asked <= exported_names(loop), asked - exported_names(loop)


def test_the_observability_services_are_only_on_the_hosts_loopback() -> None:
    services = yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]
    profiled = {n: s for n, s in services.items() if PROFILE in (s.get("profiles") or ())}
    assert {"prometheus", "grafana", "jaeger"} <= profiled.keys()
    for name, service in profiled.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port}"
