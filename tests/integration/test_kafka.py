"""The relay and the consumer framework against a real Kafka-protocol broker."""

import asyncio
import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infrastructure.db.engine import asyncpg_dsn
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.monitoring import subscription_statuses
from infrastructure.eventlog.store import EventStore, StoredEvent
from infrastructure.eventlog.subscribers import Subscriber
from infrastructure.eventlog.subscriptions import RunnerConfig, SubscriptionRunner
from infrastructure.kafka.consumer import (
    ConsumerConfig,
    InboundMessage,
    KafkaConsumerRunner,
    MessageHandler,
    UnprocessableMessage,
)
from infrastructure.kafka.relay import KafkaRelay
from tests.support.eventlog import REGISTRY, append, prepare_recordings
from tests.support.tcp_proxy import TcpProxy

FAST = RunnerConfig(batch_size=50, poll_interval=0.2, backoff_base=0.05, backoff_cap=0.5)

Record = Any  # aiokafka's ConsumerRecord[bytes, bytes]; the library ships no types


@pytest.fixture(autouse=True)
async def clean(engine: AsyncEngine) -> None:
    await prepare_recordings(engine)
    async with engine.begin() as conn:
        await conn.execute(
            text("CREATE TABLE IF NOT EXISTS test_support.effects (consumer text, message_id text)")
        )
        await conn.execute(text("TRUNCATE test_support.effects"))


def relay(bootstrap: str, prefix: str) -> KafkaRelay:
    return KafkaRelay(bootstrap_servers=bootstrap, registry=REGISTRY, topic_prefix=prefix)


def run_subscriber(subscriber: Subscriber, engine: AsyncEngine, url: str) -> SubscriptionRunner:
    return SubscriptionRunner(subscriber, engine=engine, dsn=asyncpg_dsn(url), config=FAST)


async def read_topic(bootstrap: str, topic: str, *, at_least: int) -> list[Record]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    records: list[Record] = []
    try:
        async with asyncio.timeout(30):
            while len(records) < at_least:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    records += batch
        await asyncio.sleep(0.5)  # anything beyond `at_least` (duplicates) shows up too
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            records += batch
    finally:
        await consumer.stop()
    return records


async def effects(engine: AsyncEngine, consumer: str) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT message_id FROM test_support.effects WHERE consumer = :c ORDER BY 1"),
            {"c": consumer},
        )
        return [r[0] for r in rows]


class Effects(SqlUnitOfWork):
    """A unit of work that writes test rows: opened by a consumer's handler, it joins the
    transaction that holds the message's inbox row."""

    def _open(self, conn: AsyncConnection, events: EventStore) -> None:
        self.conn = conn


def effect_recorder(engine: AsyncEngine, consumer: str) -> MessageHandler:
    async def record(message: InboundMessage) -> None:
        async with Effects(engine, REGISTRY) as uow:
            await uow.conn.execute(
                text("INSERT INTO test_support.effects VALUES (:c, :m)"),
                {"c": consumer, "m": message.message_id},
            )
            await uow.commit()

    return record


async def test_every_event_is_published_keyed_by_stream_with_its_headers(
    engine: AsyncEngine, database_url: str, kafka_bootstrap: str
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    await append(engine, "stream-a", "a1", "a2")
    sender = relay(kafka_bootstrap, prefix)
    runner = run_subscriber(sender, engine, database_url)
    while await runner.step():
        pass
    await sender.close()

    [first, second] = await read_topic(kafka_bootstrap, f"{prefix}.identity.events", at_least=2)
    assert first.key == second.key == b"stream-a"
    body = json.loads(first.value)
    headers = dict(first.headers)
    assert headers["event_type"] == b"UserProfileUpdated"
    assert headers["event_id"].decode() == body["event_id"]
    assert body["payload"]["full_name"] == "a1"
    assert (body["stream_version"], json.loads(second.value)["stream_version"]) == (1, 2)


class KilledAfterAck(BaseException):
    """Stands for the process dying: not an Exception, so no retry loop catches it."""


class DyingRelay:
    """The real relay, but the process 'dies' after the broker acknowledged the batch."""

    on_failure = KafkaRelay.on_failure

    def __init__(self, inner: KafkaRelay) -> None:
        self.inner = inner
        self.name = inner.name

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        await self.inner.handle(events, conn)
        raise KilledAfterAck


async def test_a_relay_killed_between_ack_and_checkpoint_resends_and_loses_nothing(
    engine: AsyncEngine, database_url: str, kafka_bootstrap: str
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    topic = f"{prefix}.identity.events"
    for stream in ("s1", "s2", "s3"):
        await append(engine, stream, f"{stream}-v1", f"{stream}-v2", f"{stream}-v3")

    dying = DyingRelay(relay(kafka_bootstrap, prefix))
    with pytest.raises(KilledAfterAck):
        await run_subscriber(dying, engine, database_url).step()
    await dying.inner.close()
    [status] = [s for s in await subscription_statuses(engine) if s.name == "kafka-relay"]
    assert status.pending == 9  # the checkpoint never moved

    sender = relay(kafka_bootstrap, prefix)
    restarted = run_subscriber(sender, engine, database_url)
    while await restarted.step():
        pass
    await sender.close()

    records = await read_topic(kafka_bootstrap, topic, at_least=18)
    first_seen: dict[str, dict[str, object]] = {}
    for record in records:
        body = json.loads(record.value)
        first_seen.setdefault(body["event_id"], body)
    assert len(first_seen) == 9  # every event, some twice
    by_key: dict[str, list[int]] = defaultdict(list)
    for body in first_seen.values():
        by_key[str(body["stream_id"])].append(int(str(body["stream_version"])))
    assert all(versions == [1, 2, 3] for versions in by_key.values())

    stop = asyncio.Event()
    consumer = KafkaConsumerRunner(
        name="effects-once",
        topic=topic,
        bootstrap_servers=kafka_bootstrap,
        engine=engine,
        handler=effect_recorder(engine, "effects-once"),
    )
    task = asyncio.create_task(consumer.run(stop))
    async with asyncio.timeout(30):
        while len(await effects(engine, "effects-once")) < 9:
            await asyncio.sleep(0.2)
    await asyncio.sleep(1)
    stop.set()
    await task
    applied = await effects(engine, "effects-once")
    assert sorted(applied) == sorted(first_seen)  # one effect per event, duplicates ignored


async def test_while_the_broker_is_unreachable_events_wait_and_then_drain(
    engine: AsyncEngine, database_url: str, kafka_bootstrap: str
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    async with TcpProxy(kafka_bootstrap.split(",")[0]) as proxy:
        sender = relay(proxy.address, prefix)
        runner = run_subscriber(sender, engine, database_url)
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop))
        for n in range(5):
            await append(engine, f"outage-{n}", f"during-outage-{n}")
        await asyncio.sleep(2)
        [status] = [s for s in await subscription_statuses(engine) if s.name == "kafka-relay"]
        assert status.pending == 5
        assert status.last_error is not None

        proxy.up = True
        async with asyncio.timeout(60):
            while [
                s.pending for s in await subscription_statuses(engine) if s.name == "kafka-relay"
            ] != [0]:
                await asyncio.sleep(0.2)
        stop.set()
        await task
        await sender.close()

    records = await read_topic(kafka_bootstrap, f"{prefix}.identity.events", at_least=5)
    names = {json.loads(r.value)["payload"]["full_name"] for r in records}
    assert names == {f"during-outage-{n}" for n in range(5)}


async def test_bad_messages_go_to_the_dead_letter_topic_and_the_partition_moves_on(
    engine: AsyncEngine, kafka_bootstrap: str
) -> None:
    topic = f"inbound-{uuid.uuid4().hex[:8]}"

    record = effect_recorder(engine, "inbound")

    async def handler(message: InboundMessage) -> None:
        await record(message)  # undone with the message's inbox row when the handler fails
        if message.body.get("impossible"):
            raise UnprocessableMessage("no such order")
        if message.body.get("boom"):
            raise RuntimeError("the handler keeps failing")

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for value in (
            b"\x00 definitely not json",
            json.dumps({"message_id": "m1"}).encode(),
            json.dumps({"message_id": "m1"}).encode(),  # redelivered
            json.dumps({"message_id": "m2", "impossible": True}).encode(),
            json.dumps({"message_id": "m3", "boom": True}).encode(),
            json.dumps({"message_id": "m4"}).encode(),
        ):
            await producer.send_and_wait(topic, value, key=b"same-partition")
    finally:
        await producer.stop()

    stop = asyncio.Event()
    consumer = KafkaConsumerRunner(
        name="inbound",
        topic=topic,
        bootstrap_servers=kafka_bootstrap,
        engine=engine,
        handler=handler,
        config=ConsumerConfig(max_attempts=3, backoff_base=0.01),
    )
    task = asyncio.create_task(consumer.run(stop))
    dead = await read_topic(kafka_bootstrap, f"{topic}.dlq", at_least=3)
    stop.set()
    await task

    assert await effects(engine, "inbound") == ["m1", "m4"]
    reasons = [dict(r.headers)["dlq_reason"] for r in dead]
    assert reasons == [b"malformed", b"unprocessable", b"failed"]
    assert dead[0].value == b"\x00 definitely not json"
    assert dict(dead[2].headers)["dlq_error"].startswith(b"RuntimeError")
