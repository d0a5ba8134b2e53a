"""What every benchmark in `make bench` shares: the services (a scratch PostgreSQL database and a
Redis, configured or embedded), processes started under test (`agora serve`, `agora worker`,
the baseline apps) and stopped by their own process group, their CPU time, bounded load
(wrk when installed, otherwise an asyncio httpx client bounded by count and time), the
Kafka-protocol mock cluster, and the one table the run prints.

CPU time is the process's own (user + system, from /proc/<pid>/stat), summed over the process
and its children, read before and after a bounded load: on a shared machine it is steadier than
wall time, because work stolen by a neighbour does not count against the server."""

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from infrastructure.db.engine import asyncpg_dsn
from infrastructure.db.migrations import upgrade_to_head
from infrastructure.embedded import EmbeddedServices

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QUIET = {
    "AGORA_LOG_LEVEL": "WARNING",
    "AGORA_LOG_FORMAT": "json",
    # Benchmarks log many accounts in from one address; the limits would stop the set-up.
    "AUTH_LOGIN_LIMIT_PER_IP": "100000/minute",
    "AUTH_LOGIN_LIMIT_PER_ACCOUNT": "100000/minute",
    "AUTH_REGISTRATION_LIMIT_PER_IP": "100000/hour",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- services -------------------------------------------------------------------------------


@dataclass
class Services:
    """Where the run's PostgreSQL server and Redis are, and a directory it may write to."""

    server_url: str
    redis_url: str
    data_dir: Path
    redis_prefix: str = field(default_factory=lambda: f"agora-bench-{uuid.uuid4().hex[:8]}")

    @contextlib.contextmanager
    def database(self, label: str) -> Iterator[str]:
        """A fresh, migrated database on the server, dropped afterwards whatever happened."""
        name = f"agora_bench_{label}_{uuid.uuid4().hex[:6]}"
        admin = asyncpg_dsn(self.server_url)
        asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
        url = make_url(self.server_url).set(database=name).render_as_string(hide_password=False)
        try:
            upgrade_to_head(url)
            yield url
        finally:
            asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def services() -> Iterator[Services]:
    """DATABASE_URL and REDIS_URL when set, otherwise embedded servers in a temporary directory;
    the run's Redis keys are deleted afterwards."""
    embedded = EmbeddedServices()
    try:
        with tempfile.TemporaryDirectory(prefix="agora-bench-") as tmp:
            data_dir = Path(tmp)
            server = os.environ.get("DATABASE_URL") or embedded.postgres(data_dir / "pg")
            redis = os.environ.get("REDIS_URL") or embedded.redis(data_dir / "redis")
            found = Services(server, redis, data_dir)
            try:
                yield found
            finally:
                asyncio.run(_forget_redis_keys(redis, found.redis_prefix))
    finally:
        embedded.close()


async def connect(dsn: str, *, patience: float = 60) -> asyncpg.Connection:
    """A connection, waiting (bounded) while a shared server has no connection slot free."""
    deadline = time.monotonic() + patience
    while True:
        try:
            return await asyncpg.connect(dsn)
        except asyncpg.TooManyConnectionsError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1)


async def _admin(dsn: str, statement: str) -> None:
    conn = await connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def _forget_redis_keys(url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*", count=1000)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


# --- processes ------------------------------------------------------------------------------


class Process:
    """A program under test in its own process group, logging to a file."""

    def __init__(self, command: Sequence[str], *, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.popen = subprocess.Popen(  # noqa: S603 - our own programs
                list(command),
                # Kafka only where a benchmark asks for it, whatever the caller's environment.
                env={k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")} | env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=ROOT,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def cpu_seconds(self) -> float:
        return cpu_seconds([self.pid])

    def stop(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGINT)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU of the processes and their live descendants, from /proc (Linux)."""
    total, seen, todo = 0, set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The command name may hold spaces or parentheses: fields start after the last ")".
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return total / os.sysconf("SC_CLK_TCK")


def wait_http(process: Process, port: int, path: str = "/health/live", limit: float = 120) -> None:
    """Until the process answers HTTP on the port (any status), or fail with its log's tail."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise SystemExit(f"{process.log.name} exited:\n{process.output()[-2000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{process.log.name} did not answer in {limit:.0f} s")


def agora_env(services: Services, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of an Agora process on the run's services."""
    return (
        QUIET
        | {
            "DATABASE_URL": database_url,
            "REDIS_URL": services.redis_url,
            "REDIS_KEY_PREFIX": services.redis_prefix,
            "AGORA_DATA_DIR": str(services.data_dir / "agora"),
        }
        | extra
    )


@contextlib.contextmanager
def agora_serve(
    services: Services, database_url: str, *, label: str, **extra: str
) -> Iterator[tuple[Process, str]]:
    """`agora serve` (no worker) on a free port; yields the process and its base URL."""
    port = free_port()
    env = agora_env(services, database_url, **extra)
    command = [str(BIN / "agora"), "serve", "--port", str(port)]
    process = Process(command, env=env, log=services.data_dir / f"{label}.log")
    try:
        wait_http(process, port, "/health/ready")
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.stop()


@contextlib.contextmanager
def agora_workers(
    services: Services, database_url: str, *, count: int, label: str, **extra: str
) -> Iterator[list[Process]]:
    """`count` processes of `agora worker`, started together."""
    env = agora_env(services, database_url, **extra)
    workers = [
        Process(
            [str(BIN / "agora"), "worker"],
            env=env,
            log=services.data_dir / f"{label}-{n}.log",
        )
        for n in range(count)
    ]
    try:
        yield workers
    finally:
        for worker in workers:
            worker.stop()


@contextlib.contextmanager
def kafka_broker() -> Iterator[str]:
    """librdkafka's mock cluster (tests/support/kafka_broker.py) in a helper process; it
    listens on loopback TCP, so worker processes can connect. Yields the bootstrap servers."""
    broker = subprocess.Popen(  # noqa: S603 - the test suite's broker helper
        [sys.executable, str(ROOT / "tests" / "support" / "kafka_broker.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert broker.stdout is not None
        bootstrap = broker.stdout.readline().strip()
        if not bootstrap:
            raise SystemExit("the Kafka-protocol mock cluster did not start")
        yield bootstrap
    finally:
        assert broker.stdin is not None
        broker.stdin.close()
        broker.wait(timeout=30)


# --- load -----------------------------------------------------------------------------------


@dataclass
class Load:
    """What a bounded load measured: completed operations, wall seconds, latencies (s) or the
    load generator's own p50 and p99 (wrk reports percentiles, not samples), the server's CPU
    seconds over the same span, and failures."""

    count: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    reported: tuple[float, float] | None = None
    cpu: float = 0.0
    errors: int = 0

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / self.count if self.count else 0.0

    @property
    def p50(self) -> float:
        """In milliseconds."""
        if self.reported:
            return self.reported[0] * 1000
        return statistics.median(self.latencies) * 1000 if self.latencies else 0.0

    @property
    def p99(self) -> float:
        """In milliseconds."""
        if self.reported:
            return self.reported[1] * 1000
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000 if ordered else 0.0


def generator() -> str:
    return "wrk" if shutil.which("wrk") else "httpx"


def http_load(
    url: str,
    *,
    seconds: float,
    connections: int,
    headers: dict[str, str] | None = None,
    cpu_of: Sequence[int] = (),
    max_requests: int = 200_000,
) -> Load:
    """GET `url` for `seconds` on `connections` connections: wrk when installed (two threads),
    otherwise an httpx client (bounded by `max_requests` too). Server CPU of `cpu_of`."""
    before = cpu_seconds(cpu_of)
    if generator() == "wrk":
        load = _wrk(url, seconds=seconds, connections=connections, headers=headers or {})
    else:
        load = asyncio.run(
            _httpx_get(
                url,
                seconds=seconds,
                connections=connections,
                headers=headers or {},
                limit=max_requests,
            )
        )
    load.cpu = cpu_seconds(cpu_of) - before
    return load


def _wrk(url: str, *, seconds: float, connections: int, headers: dict[str, str]) -> Load:
    flags = [f for name, value in headers.items() for f in ("-H", f"{name}: {value}")]
    threads = min(2, connections)
    out = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            *flags,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    if done is None:
        raise SystemExit(f"wrk said:\n{out}")
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def percentile(p: str) -> float:
        found = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s|m)", out)
        return float(found.group(1)) * scale[found.group(2)] if found else 0.0

    return Load(
        int(done.group(1)),
        float(done.group(2)) * scale[done.group(3)],
        reported=(percentile("50"), percentile("99")),
        errors=int(errors.group(1)) if errors else 0,
    )


async def _httpx_get(
    url: str, *, seconds: float, connections: int, headers: dict[str, str], limit: int
) -> Load:
    async with httpx.AsyncClient(
        limits=httpx.Limits(max_connections=connections), timeout=30, headers=headers
    ) as client:

        async def one() -> tuple[bool, float]:
            started = time.perf_counter()
            response = await client.get(url)
            return response.status_code < 400, time.perf_counter() - started

        return await bounded(one, concurrency=connections, seconds=seconds, limit=limit)


async def bounded(
    call: Callable[[], Awaitable[tuple[bool, float]]],
    *,
    concurrency: int,
    limit: int,
    seconds: float | None = None,
) -> Load:
    """Run `call` from `concurrency` tasks until `limit` calls were made or `seconds` passed.
    Each call says whether it succeeded and how long the timed part took."""
    latencies: list[float] = []
    errors = 0
    remaining = limit
    began = time.perf_counter()
    deadline = began + seconds if seconds is not None else None

    async def worker() -> None:
        nonlocal remaining, errors
        while remaining > 0 and (deadline is None or time.perf_counter() < deadline):
            remaining -= 1
            ok, took = await call()
            latencies.append(took)
            errors += not ok

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Load(len(latencies), time.perf_counter() - began, latencies, errors=errors)


# --- the table ------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table; `baseline` is the row of the same group it is compared with."""

    group: str
    name: str
    rate: float | None
    p50: float | None
    p99: float | None
    cpu_ms: float | None
    baseline: "Row | None" = None
    note: str = ""

    def cells(self) -> list[str]:
        def number(value: float | None, digits: int = 1) -> str:
            if value is None:  # not measured at all, or not a figure this workload has
                return "n/a" if self.rate is None else "-"
            return f"{value:,.{digits}f}"

        def ratio(mine: float | None, theirs: float | None) -> str:
            return f"{mine / theirs:.2f}x" if mine and theirs else "-"

        base = self.baseline
        return [
            self.name,
            number(self.rate, 1 if (self.rate or 0) < 100 else 0),
            number(self.p50),
            number(self.p99),
            number(self.cpu_ms, 2),
            "1.00x" if base is None else ratio(self.rate, base.rate),
            "1.00x" if base is None else ratio(self.cpu_ms, base.cpu_ms),
            self.note,
        ]


HEADER = ["workload", "rate/s", "p50 ms", "p99 ms", "CPU ms/op", "rate vs base", "CPU vs base"]


@dataclass
class Table:
    """Rows in groups, each group with a line that says what its numbers count."""

    groups: dict[str, str] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)

    def group(self, name: str, legend: str) -> None:
        self.groups[name] = legend

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        print(f"  [{row.group}] " + " | ".join(row.cells()), file=sys.stderr, flush=True)
        return row

    def render(self) -> str:
        """A Markdown table, so that bench/README.md can hold it as printed."""
        lines = ["| " + " | ".join([*HEADER, "note"]) + " |", "|---" + "|---:" * 6 + "|---|"]
        for name, legend in self.groups.items():
            lines.append(f"| **{name}** — {legend} |" + " |" * 7)
            lines += ["| " + " | ".join(r.cells()) + " |" for r in self.rows if r.group == name]
        return "\n".join(lines)
