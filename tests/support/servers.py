"""Real servers for live updates: the test's own app served over TCP by uvicorn in this
process, and a second API replica in a subprocess, both on the same PostgreSQL and Redis."""

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

from agora.server import http_options
from agora.settings import HttpSettings, Settings
from tests.support.settings import TEST_JWT_SECRET

AGORA = str(Path(sys.executable).parent / "agora")


@asynccontextmanager
async def order_stream(
    base: str, order_id: str, token: str, *, last_event_id: str | None = None
) -> AsyncIterator[httpx.Response]:
    """An order's SSE stream on a served app, opened as a browser's EventSource would."""
    headers = {"Authorization": f"Bearer {token}"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    url = f"/api/v1/orders/{order_id}/stream"
    async with (
        httpx.AsyncClient(base_url=base, timeout=20) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        yield response


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def served(app: FastAPI | ASGIApp, http: HttpSettings | None = None) -> AsyncIterator[str]:
    """Serve an ASGI app over real TCP as `agora serve` does (its HTTP options, from `http` or
    the defaults), without running its lifespan (an Agora app's services are already open)."""
    port = free_port()
    options = http_options(http or HttpSettings())
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", **options
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def endless_header(base: str) -> bytes:
    """Send a header that never ends, 8 KiB at a time, until the server answers; its first
    line. Read as it comes, so a reset that follows the answer cannot hide it."""
    return await asyncio.to_thread(_endless_header, base)


def _endless_header(base: str) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: agora\r\nX-Padding: ")
        sock.setblocking(False)
        answer = b""
        for _ in range(256):  # 2 MiB at most
            with contextlib.suppress(BlockingIOError):
                answer += sock.recv(4096)
            if answer:
                break
            try:
                sock.send(b"x" * 8_192)
            except BlockingIOError:
                time.sleep(0.01)
            except OSError:
                break  # the server closed the connection: its answer is in the buffer
        sock.settimeout(10)
        while b"\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        return answer.split(b"\n", 1)[0] + b"\n"


@contextmanager
def replica(settings: Settings, database_url: str, redis_url: str) -> Iterator[str]:
    """`agora serve` in a subprocess: another API process on the same database and Redis."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "WORKER_"))}
    env |= {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": settings.redis.key_prefix,
        "AUTH_JWT_SECRET": TEST_JWT_SECRET,
        "AGORA_ENV": "test",
        "AGORA_LOG_LEVEL": "WARNING",
        "NOTIFICATIONS_HEARTBEAT_SECONDS": "0.5",
        "NOTIFICATIONS_WEBSOCKET_AUTH_SECONDS": "0.5",
    }
    with tempfile.TemporaryDirectory() as data_dir:
        env["AGORA_DATA_DIR"] = data_dir
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [AGORA, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, process)
            yield base
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        assert process.poll() is None, "the replica exited during start-up"
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise AssertionError("the replica never became ready")


@dataclass
class Sse:
    """One server-sent event, or a comment line."""

    id: str | None = None
    event: str | None = None
    data: Any = None
    comment: str | None = None


class SseReader:
    """Reads events and comments from one open stream."""

    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.aiter_lines()

    async def next(self, count: int, *, seconds: float = 15) -> list[Sse]:
        """The next `count` events or comments."""
        found: list[Sse] = []
        current = Sse()
        async with asyncio.timeout(seconds):
            while len(found) < count:
                line = await anext(self._lines)
                if line == "":
                    if current != Sse():
                        found.append(current)
                    current = Sse()
                elif line.startswith(":"):
                    found.append(Sse(comment=line[1:].strip()))
                else:
                    field, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    if field == "id":
                        current.id = value
                    elif field == "event":
                        current.event = value
                    elif field == "data":
                        current.data = json.loads(value)
        return found
