"""The Kafka relay: a subscriber of the event log (RETRY policy) that publishes every event to
`agora.<context>.events`, keyed by stream id, with an idempotent producer (acks=all). The
checkpoint moves only after the broker acknowledged the whole batch, so a crash re-sends and
never loses; an unreachable broker is retried with backoff while the backlog waits in the log."""

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncConnection

from infrastructure.eventlog.registry import EventRegistry, UnknownEventType
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.subscribers import FailurePolicy
from infrastructure.kafka.envelope import envelope, headers, topic_for
from infrastructure.telemetry.tracing import continuing

log = logging.getLogger(__name__)


class KafkaRelay:
    """Publishes batches and waits for every acknowledgement before the checkpoint moves."""

    name = "kafka-relay"
    on_failure = FailurePolicy.RETRY

    def __init__(
        self,
        *,
        bootstrap_servers: str,
        registry: EventRegistry,
        client_id: str = "agora-relay",
        topic_prefix: str = "agora",
        traced: bool = False,
    ) -> None:
        self._bootstrap = bootstrap_servers
        self._registry = registry
        self._client_id = client_id
        self._prefix = topic_prefix
        self._traced = traced
        self._producer: AIOKafkaProducer | None = None

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        producer = await self._started_producer()
        try:
            sends = [await self._send(producer, event) for event in events]
            await asyncio.gather(*sends)
        except Exception:
            await self.close()  # a broken producer is rebuilt on the next attempt
            raise

    async def _send(self, producer: AIOKafkaProducer, event: StoredEvent) -> "asyncio.Future[Any]":
        """Traced, the send's span is a child of the event's trace and its `traceparent` is
        the header (the instrumented producer writes it); otherwise the event's own is."""
        with continuing(event.metadata.get("traceparent") if self._traced else None):
            sent: asyncio.Future[Any] = await producer.send(
                self._topic(event),
                value=envelope(event),
                key=event.stream_id.encode(),
                headers=headers(event, traceparent=not self._traced),
            )
        return sent

    async def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), 10)
            except Exception:
                log.warning("relay producer did not close cleanly")

    async def _started_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap,
                client_id=self._client_id,
                enable_idempotence=True,
                acks="all",
                linger_ms=5,
                request_timeout_ms=10_000,
            )
            try:
                await producer.start()
            except Exception:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    def _topic(self, event: StoredEvent) -> str:
        try:
            context = self._registry.named(event.event_type).context
        except UnknownEventType:
            context = event.stream_type
        return topic_for(context, prefix=self._prefix)
