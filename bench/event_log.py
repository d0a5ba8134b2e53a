"""Event-log throughput and latency, each next to a baseline measured in the same run.

  append       events/s through EventStore.append (expected-version check, horizon guard,
               NOTIFY), one event per transaction, with 1 and 8 concurrent writers
  baseline     the same rows as plain asyncpg INSERTs, one per transaction
  relay        events/s published by the Kafka relay (batches, acks=all, idempotent producer)
  baseline     a bare aiokafka producer sending the same envelopes
  latency      commit of an append -> the subscriber's handler sees it (LISTEN/NOTIFY wake-up)

Uses DATABASE_URL, or an embedded PostgreSQL; Kafka is librdkafka's mock cluster (in-memory,
so relay numbers measure Agora's overhead, not a disk-backed broker). Creates and drops its own
database. Usage: make bench-events  (or .venv/bin/python bench/event_log.py --events 4000)
"""

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaProducer
from scratch import scratch_database  # bench/ is on the path when a bench runs
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from agora.bootstrap import build_registry
from domain.identity.events import UserProfileUpdated
from infrastructure.db.engine import asyncpg_dsn, build_engine
from infrastructure.eventlog.checkpoints import Checkpoint, read_after
from infrastructure.eventlog.store import EventStore, NewEvents, PendingEvent, StoredEvent
from infrastructure.eventlog.subscribers import FailurePolicy
from infrastructure.eventlog.subscriptions import RunnerConfig, SubscriptionRunner
from infrastructure.kafka.envelope import envelope, headers
from infrastructure.kafka.relay import KafkaRelay

REGISTRY = build_registry()
ROOT = Path(__file__).resolve().parents[1]


def event() -> UserProfileUpdated:
    return UserProfileUpdated(occurred_at=datetime.now(UTC), user_id=uuid.uuid4(), full_name="x")


async def append_rate(engine: AsyncEngine, *, writers: int, total: int) -> float:
    per_writer = total // writers

    async def writer(n: int) -> None:
        for i in range(per_writer):
            async with engine.begin() as conn:
                await EventStore(conn, REGISTRY).append(
                    [NewEvents("user", f"bench-{n}-{i % 50}", [PendingEvent.new(event())])]
                )

    began = time.perf_counter()
    await asyncio.gather(*(writer(n) for n in range(writers)))
    return per_writer * writers / (time.perf_counter() - began)


async def raw_insert_rate(dsn: str, *, writers: int, total: int) -> float:
    per_writer = total // writers
    pool = await asyncpg.create_pool(dsn, min_size=writers, max_size=writers)
    _, payload = REGISTRY.serialize(event())
    body = json.dumps(payload)

    async def writer(n: int) -> None:
        async with pool.acquire() as conn:
            for i in range(per_writer):
                await conn.execute(
                    "INSERT INTO event_log (stream_type, stream_id, stream_version, event_id,"
                    " event_type, schema_version, payload, metadata)"
                    " VALUES ('user', $1, $2, $3, 'UserProfileUpdated', 1, $4::jsonb, '{}')",
                    f"raw-{n}-{uuid.uuid4().hex}",
                    i + 1,
                    uuid.uuid4(),
                    body,
                )

    began = time.perf_counter()
    await asyncio.gather(*(writer(n) for n in range(writers)))
    rate = per_writer * writers / (time.perf_counter() - began)
    await pool.close()
    return rate


async def relay_rate(engine: AsyncEngine, dsn: str, bootstrap: str, *, total: int) -> float:
    await append_rate(engine, writers=8, total=total)
    relay = KafkaRelay(bootstrap_servers=bootstrap, registry=REGISTRY, topic_prefix="bench")
    runner = SubscriptionRunner(relay, engine=engine, dsn=dsn, config=RunnerConfig(batch_size=500))
    await runner.step()  # connect, create topics
    began, sent = time.perf_counter(), 0
    while processed := await runner.step():
        sent += processed
    rate = sent / (time.perf_counter() - began)
    await relay.close()
    return rate


async def raw_producer_rate(engine: AsyncEngine, bootstrap: str, *, total: int) -> float:
    events = await read_after(engine, Checkpoint(0, 0, "running"), limit=total)
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=5
    )
    await producer.start()
    await producer.send_and_wait("bench-raw.warmup", b"{}")
    began = time.perf_counter()
    for start in range(0, len(events), 500):
        batch = events[start : start + 500]
        sends = [
            await producer.send(
                "bench-raw.identity.events",
                envelope(e),
                key=e.stream_id.encode(),
                headers=headers(e),
            )
            for e in batch
        ]
        await asyncio.gather(*sends)
    rate = len(events) / (time.perf_counter() - began)
    await producer.stop()
    return rate


class Stopwatch:
    """A subscriber that notes when each event reaches it."""

    name = "bench-latency"
    on_failure = FailurePolicy.STOP

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        now = time.perf_counter()
        for e in events:
            self.seen[str(e.stream_id)] = now


async def latency(engine: AsyncEngine, dsn: str, *, samples: int) -> tuple[float, float]:
    watch = Stopwatch()
    runner = SubscriptionRunner(watch, engine=engine, dsn=dsn, config=RunnerConfig(poll_interval=5))
    while await runner.step():  # catch up with what the other measurements wrote
        pass
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    await asyncio.sleep(1)  # leadership and LISTEN in place
    committed: dict[str, float] = {}
    for n in range(samples):
        stream = f"latency-{n}"
        async with engine.begin() as conn:
            await EventStore(conn, REGISTRY).append(
                [NewEvents("user", stream, [PendingEvent.new(event())])]
            )
        committed[stream] = time.perf_counter()
        await asyncio.sleep(0.01)
    async with asyncio.timeout(30):
        while len(watch.seen) < samples:
            await asyncio.sleep(0.05)
    stop.set()
    await task
    delays = sorted((watch.seen[s] - t) * 1000 for s, t in committed.items())
    return statistics.median(delays), delays[int(len(delays) * 0.99) - 1]


async def run(args: argparse.Namespace, database_url: str, bootstrap: str) -> None:
    dsn = asyncpg_dsn(database_url)
    engine = build_engine(database_url, pool_size=10)
    try:
        print(f"{'measurement':<44} {'value':>12}")
        for writers in (1, 8):
            mine = await append_rate(engine, writers=writers, total=args.events)
            raw = await raw_insert_rate(dsn, writers=writers, total=args.events)
            print(f"{f'append, {writers} writer(s), events/s':<44} {mine:>12.0f}")
            print(f"{f'  baseline: raw asyncpg INSERT, {writers} writer(s)':<44} {raw:>12.0f}")
        relay = await relay_rate(engine, dsn, bootstrap, total=args.events)
        raw = await raw_producer_rate(engine, bootstrap, total=args.events)
        print(f"{'relay to Kafka, events/s':<44} {relay:>12.0f}")
        print(f"{'  baseline: bare aiokafka producer':<44} {raw:>12.0f}")
        p50, p99 = await latency(engine, dsn, samples=args.samples)
        print(f"{'commit -> subscriber latency p50, ms':<44} {p50:>12.1f}")
        print(f"{'commit -> subscriber latency p99, ms':<44} {p99:>12.1f}")
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    broker = subprocess.Popen(  # noqa: S603 - the test suite's broker helper
        [sys.executable, str(ROOT / "tests" / "support" / "kafka_broker.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert broker.stdout is not None
        bootstrap = broker.stdout.readline().strip()
        if not bootstrap:
            raise SystemExit("the Kafka-protocol broker did not start")
        with scratch_database() as (url, _):
            asyncio.run(run(args, url, bootstrap))
    finally:
        assert broker.stdin is not None
        broker.stdin.close()
        broker.wait(timeout=30)


if __name__ == "__main__":
    main()
