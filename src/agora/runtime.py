"""Where PostgreSQL and Redis come from: the configured URLs, or embedded servers."""

import asyncio
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, OperationalError

from agora.settings import Settings
from application.shared.errors import DatabaseUnavailable
from infrastructure.db.engine import build_engine, ping
from infrastructure.embedded import EmbeddedServices


class DatabaseUnreachable(Exception):
    """PostgreSQL did not answer; the message says where we looked."""


@dataclass(frozen=True)
class ServiceUrls:
    """Where this process finds PostgreSQL and Redis."""

    database: str
    redis: str


def resolve_service_urls(settings: Settings, embedded: EmbeddedServices) -> ServiceUrls:
    """Use DATABASE_URL / REDIS_URL when set, otherwise start embedded servers."""
    redis = settings.redis.url or embedded.redis(settings.app.data_dir / "redis")
    return ServiceUrls(database=resolve_database_url(settings, embedded), redis=redis)


def resolve_database_url(settings: Settings, embedded: EmbeddedServices) -> str:
    """DATABASE_URL, or an embedded PostgreSQL; either way raise DatabaseUnreachable now if it
    does not answer. Alone, for commands that need no Redis (migrate, worker, projections)."""
    url = settings.database.url or embedded.postgres(settings.app.data_dir / "postgres")
    check_database(url)
    return url


def check_database(url: str) -> None:
    async def _check() -> None:
        engine = build_engine(url, pool_size=1, max_overflow=0)
        try:
            await ping(engine)
        finally:
            await engine.dispose()

    try:
        asyncio.run(_check())
    except DatabaseUnavailable as exc:  # the engine's name for a refused or dropped connection
        cause = exc.__cause__ or exc
        raise DatabaseUnreachable(f"cannot reach PostgreSQL: {_first_line(cause)}") from exc
    except (OSError, OperationalError, DBAPIError, TimeoutError) as exc:
        raise DatabaseUnreachable(f"cannot reach PostgreSQL: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc) or type(exc).__name__
    return text.strip().splitlines()[0]
