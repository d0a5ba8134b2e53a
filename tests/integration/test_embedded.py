"""The embedded PostgreSQL and Redis stop when their owner closes, whoever is still connected,
and say nothing alarming while doing so (a Ctrl+C of `make run` is not a failure)."""

import asyncio
import logging
import os
import signal
from pathlib import Path

import asyncpg
import pytest
from redis import Redis

from infrastructure.embedded import EmbeddedServices, process_alive

DATA_DIR = Path(__file__).resolve().parents[2] / ".agora" / "test" / "embedded"


def test_closing_stops_both_servers_even_with_clients_still_connected(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    services = EmbeddedServices()
    try:
        redis_url = services.redis(DATA_DIR / "redis")
        postgres_url = services.postgres(DATA_DIR / "postgres")
        pids = services.pids
        # What an app that did not close its pools leaves behind.
        lingering_redis = Redis.from_url(redis_url)
        lingering_redis.ping()
        lingering_postgres = asyncio.run(asyncpg.connect(postgres_url))
        assert len(pids) == 2
        assert all(process_alive(pid) for pid in pids)
    finally:
        services.close()
    survivors = [pid for pid in pids if process_alive(pid)]
    for pid in survivors:  # the test itself leaves nothing behind
        os.kill(pid, signal.SIGKILL)
    assert survivors == []
    assert services.still_running() == []
    alarming = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING or "fail" in r.getMessage().lower()
    ]
    assert alarming == []
    lingering_redis.close()
    del lingering_postgres  # its server is gone; closing it would only raise
