"""`agora serve` and `agora migrate`: resolve services, migrate, seed the demo, run uvicorn."""

import asyncio
import contextlib
import errno
import logging
import signal
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn

from agora import telemetry
from agora.bootstrap import api_config, open_services, platform, wire_all
from agora.contexts.notifications import mail_destination
from agora.runtime import ServiceUrls, resolve_database_url, resolve_service_urls
from agora.seed import demo_banner, seed_demo
from agora.settings import ConfigurationError, HttpSettings, Settings
from agora.worker import running_worker
from api.app import create_app
from infrastructure.db.migrations import upgrade_to_head
from infrastructure.embedded import EmbeddedServices
from infrastructure.payments.gateway import PaymentProvider
from infrastructure.telemetry.tracing import Tracing

log = logging.getLogger("agora")


def migrate(settings: Settings) -> None:
    with EmbeddedServices() as embedded:
        upgrade_to_head(resolve_database_url(settings, embedded))
        print("database migrated to the newest revision")


def serve(
    settings: Settings,
    *,
    host: str | None,
    port: int | None,
    migrate: bool,
    with_worker: bool = False,
) -> None:
    host, port = host or settings.http.host, port or settings.http.port
    # Bound before anything starts, so a busy port is one line, not a server half started.
    with _bound(host, port) as listener, EmbeddedServices() as embedded:
        urls = resolve_service_urls(settings, embedded)
        if migrate:
            upgrade_to_head(urls.database)
        if settings.app.demo:
            asyncio.run(_seed(settings, urls))
            print(demo_banner(), flush=True)
        if with_worker:
            print(mail_destination(settings), flush=True)
        tracing = telemetry.tracing_from(settings, role="api")
        app = create_app(
            config=api_config(settings),
            services=lambda: open_services(
                settings,
                database_url=urls.database,
                redis_url=urls.redis,
                with_worker=with_worker,
                tracing=tracing,
                with_metrics=True,
            ),
        )
        telemetry.instrument_app(app, tracing)
        config = uvicorn.Config(
            app,
            loop="uvloop",
            log_config=None,
            access_log=False,
            **http_options(settings.http),
        )
        try:
            _AnnouncingServer(config, url=_url(host, port)).run(sockets=[listener])
        finally:
            telemetry.close(tracing)


class _AnnouncingServer(uvicorn.Server):
    """Uvicorn's server, which says where Agora answers once it does (its own line is left
    out when it is handed a socket)."""

    def __init__(self, config: uvicorn.Config, *, url: str) -> None:
        super().__init__(config)
        self._url = url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            log.info(
                "Agora is ready on %s - API docs at %s/docs - Ctrl+C stops it", self._url, self._url
            )


@contextlib.contextmanager
def _bound(host: str, port: int) -> Iterator[socket.socket]:
    """A socket bound to the address (uvicorn listens on it), closed on exit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigurationError(
                    f"port {port} on {host} is in use; set HTTP_PORT (or --port) to a free one"
                ) from None
            raise ConfigurationError(
                f"cannot listen on {host}:{port}: {exc.strerror}; check HTTP_HOST and HTTP_PORT"
            ) from None
        sock.set_inheritable(True)
        yield sock


def _url(host: str, port: int) -> str:
    """Where a browser on this machine reaches the server."""
    shown = "localhost" if host in ("0.0.0.0", "::") else host  # noqa: S104 - compared, not bound
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def http_options(http: HttpSettings) -> dict[str, Any]:
    """How uvicorn reads requests, for `agora serve` and the tests' servers alike. h11, because
    it bounds what it buffers of a header block still arriving (httptools buffers without
    bound; the app refuses a complete block over the same size with 431); X-Forwarded-For
    only from the proxies listed, none unless some are."""
    trusted = [proxy.strip() for proxy in http.forwarded_allow_ips.split(",") if proxy.strip()]
    options: dict[str, Any] = {
        "http": "h11",
        "h11_max_incomplete_event_size": http.max_header_bytes,
        "proxy_headers": bool(trusted),
    }
    if trusted:
        options["forwarded_allow_ips"] = trusted
    return options


async def _seed(settings: Settings, urls: ServiceUrls) -> None:
    async with open_services(settings, database_url=urls.database, redis_url=urls.redis) as s:
        await seed_demo(s)


def worker(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT, then finish the current batches and exit."""
    tracing = telemetry.tracing_from(settings, role="worker")
    try:
        with EmbeddedServices() as embedded:
            url = resolve_database_url(settings, embedded)
            print(mail_destination(settings), flush=True)
            asyncio.run(run_worker(settings, url, tracing=tracing))
    finally:
        telemetry.close(tracing)


async def run_worker(
    settings: Settings,
    database_url: str,
    *,
    tracing: Tracing | None = None,
    payments: PaymentProvider | None = None,
) -> None:
    """The worker's loop, until SIGTERM or SIGINT; `payments` replaces the simulated provider
    (the tests' worker processes share one charge book through it)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # Without REDIS_URL a separate worker shares no Redis with the API: it has no cache to
    # invalidate (TTLs then bound staleness) and no live clients to publish order updates to.
    async with (
        platform(
            settings,
            database_url=database_url,
            redis_url=settings.redis.url,
            tracing=tracing,
            with_metrics=True,
            payments=payments,
        ) as p,
        running_worker(p, wire_all(p)) as running,
    ):
        log.info("worker running", extra={"subscribers": [r.name for r in running.runners]})
        heartbeat = asyncio.create_task(
            _beat(settings.app.data_dir / HEARTBEAT_FILE, stop, alive=running.alive)
        )
        await stop.wait()
        log.info("worker stopping")
        await heartbeat


HEARTBEAT_FILE = "worker.heartbeat"
HEARTBEAT_SECONDS = 5.0


async def _beat(path: Path, stop: asyncio.Event, *, alive: Callable[[], bool]) -> None:
    """Touch a file while every runner is alive: the container health check reads its age."""
    await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
    while not stop.is_set():
        if alive():
            await asyncio.to_thread(path.touch)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), HEARTBEAT_SECONDS)
