"""The deployment files under docker/, checked by parsing them: the properties a run cannot
show (health-gated start order, no secret defaults, only real settings, the local override
changing no topology). That the stack builds, starts, heals and keeps its data, that the image
runs unprivileged with a passing health check, and that the proxy streams events, is proven by
running it: `make compose-test` (.ci/compose_test.py, ADR 0025)."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from agora.settings import (
    DEV_JWT_SECRET,
    DEV_WEBHOOK_SECRET,
    MIN_PRODUCTION_SECRET_LENGTH,
    environment_variables,
)

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
COMPOSE = DOCKER / "compose.yaml"
LOCAL = DOCKER / "compose.local.yaml"
DEMO_ENV = DOCKER / "demo.env"

CONDITIONS = {"service_healthy", "service_completed_successfully"}
SECRET_WORDS = ("SECRET", "PASSWORD", "KEY")
DEMO_PROFILE = "demo"

# `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?message}`, ... (`$${` is a literal).
_INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?")


# --- helpers -------------------------------------------------------------------------------


def load_compose() -> dict[str, Any]:
    """compose.yaml as Compose sees it before interpolation; anchors and `<<:` are resolved."""
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def services() -> dict[str, dict[str, Any]]:
    found = load_compose()["services"]
    assert isinstance(found, dict)
    assert found
    return found


def environment(service: dict[str, Any]) -> dict[str, str]:
    """Both Compose spellings: a mapping, or a list of `NAME=value`."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(entry.partition("=")[::2] for entry in env)
    return {str(name): "" if value is None else str(value) for name, value in env.items()}


def depends_on(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Both spellings: a list of names (no condition) or a mapping of name to options."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: {} for name in deps}
    return {name: options or {} for name, options in deps.items()}


def has_healthcheck(service: dict[str, Any]) -> bool:
    check = service.get("healthcheck")
    if not check or check.get("disable"):
        return False
    return check.get("test") not in (None, ["NONE"], "NONE")


def profiles(service: dict[str, Any]) -> set[str]:
    return set(service.get("profiles") or ())


def agora_services() -> dict[str, dict[str, Any]]:
    """Services that build the Agora image, or run the image another service builds."""
    all_services = services()
    built = {svc.get("image") for svc in all_services.values() if "build" in svc} - {None}
    found = {
        name: svc
        for name, svc in all_services.items()
        if "build" in svc or svc.get("image") in built
    }
    assert {"migrate", "api"} <= found.keys(), "the Agora services are no longer recognized"
    return found


def interpolations(text: str) -> list[tuple[str, str]]:
    """(variable, operator) of every `${...}` in text; the operator is "" when there is none."""
    return [(m["name"], m["op"] or "") for m in _INTERPOLATION.finditer(text)]


def is_secret(name: str) -> bool:
    return any(word in name.upper() for word in SECRET_WORDS)


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, separator, value = line.partition("=")
            assert separator, f"not NAME=value: {line!r}"
            values[name.strip()] = value.strip()
    return values


# --- compose: start order and health ------------------------------------------------------


def test_every_service_is_health_checked_or_a_one_shot_job() -> None:
    all_services = services()
    awaited_to_finish = {
        dependency
        for service in all_services.values()
        for dependency, options in depends_on(service).items()
        if options.get("condition") == "service_completed_successfully"
    }
    for name, service in all_services.items():
        if name in awaited_to_finish:
            assert service.get("restart") == "no", f"{name} is awaited to finish; restart: 'no'"
        if has_healthcheck(service):
            continue
        assert service.get("restart") == "no", f"{name}: no healthcheck and not a one-shot job"
        # A one-shot job is either awaited by another service, or an optional tool that only
        # runs in its own profile (demo-seed).
        assert name in awaited_to_finish or profiles(service), (
            f"{name} has no healthcheck and nothing waits for it to complete"
        )


def test_every_dependency_waits_on_a_condition() -> None:
    all_services = services()
    for name, service in all_services.items():
        for dependency, options in depends_on(service).items():
            assert dependency in all_services, f"{name} depends on unknown {dependency}"
            condition = options.get("condition")
            assert condition in CONDITIONS, f"{name} -> {dependency}: condition {condition!r}"
            if condition == "service_healthy":
                assert has_healthcheck(all_services[dependency]), (
                    f"{name} waits for {dependency} to be healthy, which has no healthcheck"
                )


# --- compose: configuration of the Agora services -----------------------------------------


def test_agora_services_set_only_real_settings() -> None:
    known = environment_variables().keys()
    for name, service in agora_services().items():
        env = environment(service)
        assert env, f"{name} has no environment"
        unknown = sorted(env.keys() - known)
        assert not unknown, f"{name} sets {unknown}, which Agora does not read"


def test_no_secret_has_a_default() -> None:
    for variable, operator in interpolations(COMPOSE.read_text()):
        if is_secret(variable):
            assert operator not in (":-", "-"), f"${{{variable}{operator}...}} has a default"


def test_secrets_are_required_wherever_they_are_used() -> None:
    references = [(v, op) for v, op in interpolations(COMPOSE.read_text()) if is_secret(v)]
    assert references
    for variable, operator in references:
        assert operator == ":?", f"${{{variable}}} must be written ${{{variable}:?message}}"

    api_env = environment(services()["api"])
    for secret in ("AUTH_JWT_SECRET", "PAYMENTS_WEBHOOK_SECRET"):  # production refuses defaults
        assert re.fullmatch(rf"\$\{{{secret}:\?[^}}]+\}}", api_env[secret])
    assert "${POSTGRES_PASSWORD:?" in api_env["DATABASE_URL"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${A_SECRET}", [("A_SECRET", "")]),
        ("${A_SECRET:-x}", [("A_SECRET", ":-")]),
        ("${A_SECRET-x}", [("A_SECRET", "-")]),
        ("x${DB_PASSWORD:?set it}@h", [("DB_PASSWORD", ":?")]),
        ("$${NOT_INTERPOLATED:-x}", []),
    ],
)
def test_interpolation_parsing(text: str, expected: list[tuple[str, str]]) -> None:
    assert interpolations(text) == expected


def test_demo_mode_only_in_the_demo_profile() -> None:
    demo_services = set()
    for name, service in agora_services().items():
        env = environment(service)
        if DEMO_PROFILE in profiles(service):
            demo_services.add(name)
            continue
        assert "AGORA_DEMO" not in env, f"{name} enables demo mode outside the demo profile"
        assert env.get("AGORA_ENV") == "production", f"{name} must run with AGORA_ENV=production"
    for name, service in services().items():
        if "AGORA_DEMO" in environment(service):
            assert name in demo_services, f"{name} sets AGORA_DEMO outside the demo profile"
    assert demo_services, "the demo profile has no Agora service"


def test_api_is_replicated_and_reached_only_through_the_proxy() -> None:
    all_services = services()
    api = all_services["api"]
    assert api.get("deploy", {}).get("replicas", 1) >= 2
    assert "container_name" not in api, "a fixed container name prevents replicas"
    assert not api.get("ports")
    # The observability profile's UIs publish on the host's loopback only (their own test).
    publishing = {
        name
        for name, service in all_services.items()
        if service.get("ports") and "observability" not in profiles(service)
    }
    assert publishing == {"proxy"}


# --- the local override and the demo environment ------------------------------------------

# What docker/compose.local.yaml may change: where images come from, the broker's probe, and
# the published port (loopback only).
LOCAL_OVERRIDES = {"image", "pull_policy", "build", "healthcheck", "ports"}


class _ComposeLoader(yaml.SafeLoader):
    """Reads Compose's merge tags: `!override` (replace, not append) and `!reset`."""


_ComposeLoader.add_constructor(
    "!override",
    lambda loader, node: loader.construct_sequence(node),  # type: ignore[arg-type]
)


def test_the_local_override_changes_only_where_images_come_from() -> None:
    local = yaml.load(LOCAL.read_text(), Loader=_ComposeLoader)  # noqa: S506 (a safe loader)
    assert set(local) == {"services"}, "the override adds no networks, volumes or top-level keys"
    production = services()
    for name, override in local["services"].items():
        assert name in production, f"compose.local.yaml adds a service: {name}"
        changed = set(override) - LOCAL_OVERRIDES
        assert not changed, f"compose.local.yaml changes {sorted(changed)} of {name}"
        if "build" in override:
            assert set(override["build"]) == {"args"}, f"{name}: only build args may change"
    for name, service in production.items():
        # The observability profile (Prometheus, Grafana, Jaeger) is not part of the offline
        # stack test, which builds stand-ins only for what Agora itself needs to run.
        if (
            "image" in service
            and "build" not in service
            and not service["image"].startswith("agora:")
            and "observability" not in service.get("profiles", [])
        ):
            assert "image" in local["services"].get(name, {}), f"no local image for {name}"
    ports = local["services"]["proxy"]["ports"]
    assert all(str(port).startswith("127.0.0.1:") for port in ports), ports


def test_demo_env_provides_every_required_variable_with_a_usable_secret() -> None:
    assert DEMO_ENV.is_file()
    values = read_env_file(DEMO_ENV)
    required = {v for v, op in interpolations(COMPOSE.read_text()) if op in (":?", "?")}
    assert required <= values.keys(), f"demo.env lacks {sorted(required - values.keys())}"
    # The demo API runs with AGORA_ENV=production, which refuses a short or development secret.
    for name, development in (
        ("AUTH_JWT_SECRET", DEV_JWT_SECRET),
        ("PAYMENTS_WEBHOOK_SECRET", DEV_WEBHOOK_SECRET),
    ):
        assert len(values[name]) >= MIN_PRODUCTION_SECRET_LENGTH
        assert values[name] != development


def test_the_proxy_streams_events_and_upgrades_websockets() -> None:
    conf = (COMPOSE.parent / "nginx.conf").read_text()
    api = conf[conf.index("location /api/ {") :]
    assert "proxy_buffering off;" in api.split("}")[0]
    ws = conf[conf.index("location /api/v1/ws/ {") :].split("}")[0]
    assert "proxy_set_header Upgrade $http_upgrade;" in ws
    assert 'proxy_set_header Connection "upgrade";' in ws
