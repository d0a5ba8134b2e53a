"""However many worker processes run, each subscriber is active in one; when it dies, another
takes over."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.eventlog.subscriptions import lock_key
from tests.support.eventlog import append, prepare_recordings

AGORA = str(Path(sys.executable).parent / "agora")
SUBSCRIBER = "account-history"


class Worker:
    """`agora worker` in a subprocess, with its JSON log lines collected."""

    def __init__(self, database_url: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "WORKER_"))}
        env |= {"DATABASE_URL": database_url, "WORKER_POLL_INTERVAL_SECONDS": "0.2"}
        self.process = subprocess.Popen(  # noqa: S603 - our own console script
            [AGORA, "worker"], env=env, stdout=subprocess.PIPE, text=True
        )
        self.lines: list[dict[str, object]] = []
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                self.lines.append(json.loads(line))
            except json.JSONDecodeError:
                continue

    def leads(self, name: str) -> bool:
        return any(
            entry.get("message") == "subscriber leading" and entry.get("subscriber") == name
            for entry in self.lines
        )

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=30)


async def eventually(
    condition: Callable[[], Awaitable[bool]], what: str, seconds: float = 20
) -> None:
    async with asyncio.timeout(seconds):
        while not await condition():
            await asyncio.sleep(0.1)


async def lock_holders(engine: AsyncEngine) -> int:
    key = lock_key(SUBSCRIBER) & 0xFFFFFFFFFFFFFFFF  # a bigint lock is two 32-bit oids
    query = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND objsubid = 1 AND classid::bigint = :high AND objid::bigint = :low"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    params = {"high": key >> 32, "low": key & 0xFFFFFFFF}
    async with engine.connect() as conn:
        return int((await conn.execute(query, params)).scalar_one())


async def history_rows(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM account_history"))).scalar_one())


async def test_one_active_instance_per_subscriber_and_takeover_when_it_dies(
    engine: AsyncEngine, database_url: str
) -> None:
    await prepare_recordings(engine)
    first = Worker(database_url)
    second = Worker(database_url)
    try:
        await eventually(
            lambda: asyncio.sleep(0, first.leads(SUBSCRIBER) or second.leads(SUBSCRIBER)),
            "a leader",
            seconds=60,  # two fresh interpreters import the whole service first
        )
        await asyncio.sleep(1.5)  # several polls of the other worker
        assert first.leads(SUBSCRIBER) != second.leads(SUBSCRIBER)
        assert await lock_holders(engine) == 1
        leader, follower = (first, second) if first.leads(SUBSCRIBER) else (second, first)

        await append(engine, "00000000-0000-0000-0000-000000000001", "before")
        await eventually(lambda: _equals(history_rows(engine), 1), "the leader to project")

        leader.stop(signal.SIGKILL)  # no clean shutdown: the connection just drops
        await eventually(lambda: asyncio.sleep(0, follower.leads(SUBSCRIBER)), "takeover")
        await append(engine, "00000000-0000-0000-0000-000000000002", "after")
        await eventually(lambda: _equals(history_rows(engine), 2), "the new leader to project")
        assert await lock_holders(engine) == 1
        assert follower.stop() == 0  # SIGTERM: a clean exit
    finally:
        for worker in (first, second):
            if worker.process.poll() is None:
                worker.stop(signal.SIGKILL)


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected
