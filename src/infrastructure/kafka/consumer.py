"""A small framework for consuming Kafka topics: at-least-once in, exactly-once in effect.

For each message: the handler's effect and an inbox row (consumer, message id) commit in one
PostgreSQL transaction, then the offset is committed. A redelivered message finds its inbox row
and changes nothing. A malformed message, or one that keeps failing, goes to `<topic>.dlq` with
the reason in its headers, and the partition moves on.

A handler whose effects are idempotent and commit on their own (a subscriber of the log run as a
group member, `reacting_to`) is run without the inbox (`inbox=False`): a redelivery repeats it
and changes nothing (ADR 0022). A member works on many keys at once, each key in order, and
commits each partition at its watermark (`membership.py`); a rebalance waits for the messages
in flight."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.errors import KafkaError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared import bounded_json
from infrastructure.db.transient import is_transient
from infrastructure.db.unit_of_work import joined
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.tables import consumer_inbox
from infrastructure.kafka.envelope import stored_event
from infrastructure.kafka.membership import Membership

log = logging.getLogger(__name__)
GROUP_ERRORS_BEFORE_RESTART = 5


class UnprocessableMessage(Exception):
    """The message can never succeed (impossible content): dead-letter it without retrying."""


@dataclass(frozen=True)
class InboundMessage:
    """A decoded message and where it came from."""

    message_id: str
    topic: str
    partition: int
    offset: int
    key: str | None
    headers: Mapping[str, str]
    body: Mapping[str, Any]


# Runs inside the transaction that records the message in the inbox: units of work it opens
# join that transaction, so the effect and the inbox row commit together.
MessageHandler = Callable[[InboundMessage], Awaitable[None]]


class EventReaction(Protocol):
    """A subscriber of the log that reacts to one event at a time, committing its own steps,
    idempotently: the same code runs on the log (its runner) and on a Kafka partition."""

    async def react(self, stored: StoredEvent) -> None: ...


def reacting_to(reaction: EventReaction) -> MessageHandler:
    """A handler that turns the relay's envelope back into the log's row and reacts to it; a
    body that is no envelope can never succeed."""

    async def handle(message: InboundMessage) -> None:
        try:
            stored = stored_event(message.body)
        except (KeyError, TypeError, ValueError) as exc:
            raise UnprocessableMessage(f"not an event envelope: {exc!r}") from None
        await reaction.react(stored)

    return handle


@dataclass(frozen=True, kw_only=True)
class ConsumerConfig:
    """Tries before a failing message is dead-lettered, their backoff, the poll wait; how many
    messages one member works on at once, and how long a rebalance waits for them."""

    max_attempts: int = 3
    backoff_base: float = 0.1
    poll_timeout_ms: int = 500
    max_in_flight: int = 16
    handover_seconds: float = 10.0


class Stopping(Exception):
    """The consumer was stopped while a message was being retried: it stays for the next owner."""


class KafkaConsumerRunner:
    """Consumes one topic as a member of the consumer group `name`; `run` returns after `stop`
    is set. With `inbox=False` the handler must be idempotent and commit on its own."""

    def __init__(
        self,
        *,
        name: str,
        topic: str,
        bootstrap_servers: str,
        engine: AsyncEngine,
        handler: MessageHandler,
        config: ConsumerConfig | None = None,
        inbox: bool = True,
    ) -> None:
        self.name = name
        self.topic = topic
        self._bootstrap = bootstrap_servers
        self._engine = engine
        self._handler = handler
        self._config = config or ConsumerConfig()
        self._inbox = inbox

    async def run(self, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=self.name,
            enable_auto_commit=False,
            # A group's first start reads the topic from its beginning: nothing is skipped,
            # and what was done already is a no-op (the inbox, or an idempotent handler).
            auto_offset_reset="earliest",
        )
        dead_letters = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap, enable_idempotence=True, acks="all"
        )
        member = Membership(
            name=self.name,
            consumer=consumer,
            work=partial(self._work, dlq=dead_letters, stop=stop),
            max_in_flight=self._config.max_in_flight,
            handover_seconds=self._config.handover_seconds,
        )
        consumer.subscribe([self.topic], listener=member)
        async with consumer, dead_letters:
            committer = asyncio.create_task(member.committing(stop))
            try:
                await self._poll(consumer, member, stop)
            finally:
                await member.release_all()  # what is in flight finishes and is committed
                committer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await committer

    async def _poll(
        self, consumer: AIOKafkaConsumer, member: Membership, stop: asyncio.Event
    ) -> None:
        """Fetch and hand each partition's records to the member until stopped."""
        failures = 0
        while not stop.is_set():
            try:
                batch = await consumer.getmany(
                    timeout_ms=self._config.poll_timeout_ms,
                    max_records=4 * self._config.max_in_flight,
                )
            except KafkaError as exc:
                # A failed join or sync, handed over by the group coordinator, which rejoins by
                # itself as the same member: a new consumer would be a new member and cost the
                # whole group another rebalance.
                failures += 1
                if failures > GROUP_ERRORS_BEFORE_RESTART:
                    raise
                log.warning(
                    "group error; rejoining", extra={"consumer": self.name, "error": repr(exc)}
                )
                await asyncio.sleep(min(self._config.backoff_base * 2.0**failures, 5.0))
                continue
            failures = 0
            await asyncio.gather(*(member.submit(tp, rs) for tp, rs in batch.items()))

    async def _work(
        self, record: ConsumerRecord[bytes, bytes], *, dlq: AIOKafkaProducer, stop: asyncio.Event
    ) -> None:
        if not await self._consume(record, dlq, stop):
            raise Stopping  # its key stops here and the watermark stays below it

    async def _consume(
        self, record: ConsumerRecord[bytes, bytes], dlq: AIOKafkaProducer, stop: asyncio.Event
    ) -> bool:
        """Apply or dead-letter the record; False only when stopping before either happened."""
        try:
            message = decode(record)
        except Exception as exc:  # anything undecodable is malformed, never a crash
            await self._dead_letter(record, dlq, reason="malformed", error=repr(exc))
            return True
        attempt = outage = 0
        while True:
            try:
                await self._apply_once(message)
                return True
            except UnprocessableMessage as exc:
                await self._dead_letter(record, dlq, reason="unprocessable", error=str(exc))
                return True
            except Exception as exc:
                transient = is_transient(exc)
                outage, attempt = (outage + 1, attempt) if transient else (0, attempt + 1)
                log.warning(
                    "message failed",
                    extra={"consumer": self.name, "attempt": attempt, "error": repr(exc)},
                )
                if not transient and attempt >= self._config.max_attempts:
                    await self._dead_letter(record, dlq, reason="failed", error=repr(exc))
                    return True
                if stop.is_set():
                    return False
                # The database being down is not the message's fault: wait, don't dead-letter.
                tries = outage if transient else attempt
                await asyncio.sleep(min(self._config.backoff_base * 2.0 ** (tries - 1), 5.0))

    async def _apply_once(self, message: InboundMessage) -> None:
        if not self._inbox:
            await self._handler(message)  # idempotent, committing its own steps
            return
        async with self._engine.begin() as conn:
            first_time = (
                await conn.execute(
                    pg_insert(consumer_inbox)
                    .values(consumer=self.name, message_id=message.message_id, topic=message.topic)
                    .on_conflict_do_nothing()
                    .returning(consumer_inbox.c.message_id)
                )
            ).first()
            if first_time is None:
                return  # already applied: a redelivery
            with joined(conn):
                await self._handler(message)

    async def _dead_letter(
        self,
        record: ConsumerRecord[bytes, bytes],
        dlq: AIOKafkaProducer,
        *,
        reason: str,
        error: str,
    ) -> None:
        log.error(
            "message dead-lettered",
            extra={
                "consumer": self.name,
                "topic": record.topic,
                "offset": record.offset,
                "reason": reason,
            },
        )
        extra = {
            "dlq_reason": reason,
            "dlq_error": error[:1000],
            "dlq_consumer": self.name,
            "dlq_source": f"{record.topic}/{record.partition}/{record.offset}",
        }
        await dlq.send_and_wait(
            f"{record.topic}.dlq",
            value=record.value,
            key=record.key,
            headers=list(record.headers or []) + [(k, v.encode()) for k, v in extra.items()],
        )


def decode(record: ConsumerRecord[bytes, bytes]) -> InboundMessage:
    """Parse the JSON body; the message id is the `event_id`/`message_id` header or body field,
    else the record's coordinates (unique per topic)."""
    headers = {k: (v or b"").decode(errors="replace") for k, v in (record.headers or [])}
    try:
        body = bounded_json.loads(record.value or b"")
    except ValueError as exc:  # not JSON, not UTF-8, or nested too deep
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ValueError("not a JSON object")
    message_id = (
        headers.get("event_id")
        or headers.get("message_id")
        or body.get("event_id")
        or body.get("message_id")
        or f"{record.topic}:{record.partition}:{record.offset}"
    )
    return InboundMessage(
        message_id=str(message_id),
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key.decode(errors="replace") if record.key else None,
        headers=headers,
        body=body,
    )
