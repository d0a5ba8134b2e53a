"""`agora serve` and `agora migrate`: resolve services, migrate, seed the demo, run uvicorn."""

import asyncio
import logging

import uvicorn

from agora.bootstrap import api_config, open_services
from agora.runtime import ServiceUrls, check_database, resolve_service_urls
from agora.seed import demo_banner, seed_demo
from agora.settings import Settings
from api.app import create_app
from infrastructure.db.migrations import upgrade_to_head
from infrastructure.embedded import EmbeddedServices

log = logging.getLogger("agora")


def migrate(settings: Settings) -> None:
    embedded = EmbeddedServices()
    try:
        urls = resolve_service_urls(settings, embedded)
        check_database(urls.database)
        upgrade_to_head(urls.database)
        print("database migrated to the newest revision")
    finally:
        embedded.close()


def serve(settings: Settings, *, host: str | None, port: int | None, migrate: bool) -> None:
    embedded = EmbeddedServices()
    try:
        urls = resolve_service_urls(settings, embedded)
        check_database(urls.database)
        if migrate:
            upgrade_to_head(urls.database)
        if settings.app.demo:
            asyncio.run(_seed(settings, urls))
            print(demo_banner(), flush=True)
        app = create_app(
            config=api_config(settings),
            services=lambda: open_services(
                settings, database_url=urls.database, redis_url=urls.redis
            ),
        )
        uvicorn.run(
            app,
            host=host or settings.http.host,
            port=port or settings.http.port,
            loop="uvloop",
            http="httptools",
            log_config=None,
            access_log=False,
            proxy_headers=True,
            forwarded_allow_ips=settings.http.forwarded_allow_ips,
        )
    finally:
        embedded.close()


async def _seed(settings: Settings, urls: ServiceUrls) -> None:
    async with open_services(settings, database_url=urls.database, redis_url=urls.redis) as s:
        await seed_demo(s.bus)
