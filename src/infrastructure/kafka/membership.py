"""One member's share of a consumer group: the records of its partitions run in keyed lanes
(`infrastructure/eventlog/lanes.py`: many keys at once, one key strictly in order), at most
`max_in_flight` at once across all its partitions; each partition's offset is committed at its
watermark, below every record not yet done; and a revocation finishes what is in flight (or,
past a bound, abandons it) and commits before the partitions move (ADR 0022)."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeAlias

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord
from aiokafka.errors import KafkaError
from aiokafka.structs import TopicPartition

from infrastructure.eventlog.lanes import Lanes, LanesClosed

log = logging.getLogger(__name__)

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"
COMMIT_EVERY_SECONDS = 0.2


class Membership(ConsumerRebalanceListener):  # type: ignore[misc]
    """Runs `work` for every record this member is given and commits what is done."""

    def __init__(
        self,
        *,
        name: str,
        consumer: AIOKafkaConsumer,
        work: Callable[[Record], Awaitable[None]],
        max_in_flight: int,
        handover_seconds: float,
    ) -> None:
        self._name = name
        self._consumer = consumer
        self._work = work
        self._max_in_flight = max_in_flight
        self._handover_seconds = handover_seconds
        self._slots = asyncio.Semaphore(max_in_flight)  # the member's bound, all partitions
        self._lanes: dict[TopicPartition, Lanes[Record]] = {}
        self._committed: dict[TopicPartition, int] = {}
        self._handing_over = False

    async def submit(self, partition: TopicPartition, records: Iterable[Record]) -> None:
        """Hand the partition's records to its lanes, in offset order; waits while they are
        full (back-pressure), and drops what was fetched for a partition being handed over."""
        for record in records:
            if self._handing_over or partition not in self._consumer.assignment():
                return  # its next owner starts at the watermark committed for it
            lanes = self._lanes.get(partition)
            if lanes is None:
                lanes = self._lanes[partition] = Lanes(
                    self._run, max_in_flight=self._max_in_flight, done_through=record.offset - 1
                )
            try:
                await lanes.submit(record.key, record.offset, record)
            except LanesClosed:
                return  # handed over while this waited for room

    async def committing(self, stop: asyncio.Event) -> None:
        """Commit the watermarks that moved, every few hundred milliseconds, until stopped."""
        while not stop.is_set():
            await self.commit()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), COMMIT_EVERY_SECONDS)

    async def commit(self) -> None:
        offsets = {}
        for partition, lanes in self._lanes.items():
            done = lanes.done_through
            if done is not None and done + 1 > self._committed.get(partition, -1):
                offsets[partition] = done + 1
        if not offsets:
            return
        try:
            await self._consumer.commit(offsets)
        except KafkaError as exc:
            # The group moved on (or the broker is away): the partition's next owner gets
            # these messages again, and their effects are already exactly once.
            log.warning("offset commit failed", extra={"consumer": self._name, "error": repr(exc)})
            return
        self._committed.update(offsets)

    async def release(self, partitions: Iterable[TopicPartition]) -> None:
        """Finish the partitions' work in flight (for at most `handover_seconds`), commit their
        watermarks, abandon what is left and forget them."""
        self._handing_over = True
        try:
            owned = [tp for tp in partitions if tp in self._lanes]
            lanes = [self._lanes[tp] for tp in owned]
            with contextlib.suppress(Exception):  # a failed or slow key stays below its mark
                await asyncio.wait_for(
                    asyncio.gather(*(lane.drain() for lane in lanes)), self._handover_seconds
                )
            await self.commit()
            for lane in lanes:
                await lane.cancel()  # abandoned work is redone by the next owner, idempotently
            for tp in owned:
                self._lanes.pop(tp, None)
                self._committed.pop(tp, None)
        finally:
            self._handing_over = False

    async def release_all(self) -> None:
        await self.release(list(self._lanes))

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self.release(revoked)
        log.info(
            "partitions handed over",
            extra={"consumer": self._name, "partitions": sorted(tp.partition for tp in revoked)},
        )

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info(
            "partitions assigned",
            extra={"consumer": self._name, "partitions": sorted(tp.partition for tp in assigned)},
        )

    async def _run(self, record: Record) -> None:
        async with self._slots:
            await self._work(record)
