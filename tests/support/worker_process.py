"""`agora worker` as the tests start it in a subprocess: the same settings from the environment
and the same loop (`agora.server.run_worker`), with the simulated provider's charge book shared
by every worker process through PostgreSQL (tests/support/payment_book.py)."""

import asyncio

from agora.logging_config import configure_logging
from agora.server import run_worker
from agora.settings import Settings, load_settings
from infrastructure.db.engine import asyncpg_dsn
from tests.support.payment_book import SharedBookProvider


async def main(settings: Settings) -> None:
    assert settings.database.url is not None, "the test sets DATABASE_URL"
    provider = SharedBookProvider(
        asyncpg_dsn(settings.database.url),
        latency_seconds=settings.payments.latency_ms / 1000,
    )
    try:
        await run_worker(settings, settings.database.url, payments=provider)
    finally:
        await provider.close()


if __name__ == "__main__":
    loaded = load_settings()
    configure_logging(loaded.app.log_level, log_format="json")
    asyncio.run(main(loaded))
