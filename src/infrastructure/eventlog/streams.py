"""The pipeline of a stream reactor (ADR 0021): events read ahead go into keyed lanes (one lane
per stream, many streams at once, bounded), and the checkpoint follows the lanes' watermark in
small coalesced steps, fenced as every checkpoint move is. A crash loses the work in flight and
what finished above the watermark; both run again, harmlessly, since reactions are idempotent."""

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.eventlog.checkpoints import Checkpoint, LostLeadership, advance
from infrastructure.eventlog.lanes import Lanes
from infrastructure.eventlog.store import StoredEvent

# The log's order is (transaction id, position); one integer keeps that order for the lanes.
_POSITION_SPAN = 1 << 63


def sequence_of(transaction_id: int, position: int) -> int:
    """One increasing number for a place in the log's (transaction id, position) order."""
    return transaction_id * _POSITION_SPAN + position


def place_of(sequence: int) -> tuple[int, int]:
    transaction_id, position = divmod(sequence, _POSITION_SPAN)
    return transaction_id, position


@dataclass(frozen=True, kw_only=True)
class PipelineBounds:
    """How much a reactor's pipeline holds: reactions running, events accepted and not done,
    events handed over beyond the watermark, and how long a checkpoint move is coalesced."""

    max_in_flight: int
    max_pending: int
    max_ahead: int
    flush_interval: float


class StreamPipeline:
    """One leadership term of a stream reactor: `feed` events in log order; the checkpoint
    advances to the contiguous prefix of finished ones. `close` before leadership is given up."""

    def __init__(
        self,
        *,
        name: str,
        engine: AsyncEngine,
        checkpoint: Checkpoint,
        react: Callable[[StoredEvent], Awaitable[None]],
        wants: Callable[[StoredEvent], bool],
        bounds: PipelineBounds,
    ) -> None:
        self._name = name
        self._engine = engine
        self._checkpoint = checkpoint
        self._wants = wants
        self._bounds = bounds
        self._flushed = sequence_of(checkpoint.transaction_id, checkpoint.position)
        self._lanes: Lanes[StoredEvent] = Lanes(
            react,
            max_in_flight=bounds.max_in_flight,
            max_pending=bounds.max_pending,
            done_through=self._flushed,
        )
        self._flushing = asyncio.Lock()
        self._ahead: deque[int] = deque()  # handed-over sequence numbers above the watermark
        self._flusher = asyncio.create_task(self._flush_continually(), name=f"checkpoint:{name}")

    @property
    def checkpoint(self) -> Checkpoint:
        """The checkpoint as last written by this pipeline."""
        return self._checkpoint

    @property
    def failed(self) -> "asyncio.Task[None]":
        """Ends only on a failure (a reaction that gave up, a fenced write that lost)."""
        return self._flusher

    async def feed(self, events: Sequence[StoredEvent]) -> None:
        """Hand over the events this reactor wants and pass over the rest; waits while the
        lanes are full or too far ahead of the watermark (back-pressure on the reader)."""
        for event in events:
            self.raise_if_failed()  # a lost fence must stop the reader, however busy it is
            seq = sequence_of(event.transaction_id, event.position)
            if not self._wants(event):
                self._lanes.skip(seq)
                continue
            await self._wait_for_room()
            await self._lanes.submit(event.stream_id, seq, event)
            self._ahead.append(seq)

    def raise_if_failed(self) -> None:
        if self._flusher.done():
            self._flusher.result()

    async def close(self, *, grace: float) -> None:
        """Let running reactions finish for up to `grace` seconds, cancel the rest and wait for
        them, then write the watermark. Raises what failed, if anything did."""
        if grace > 0 and self._lanes.failure is None and not self._flusher.done():
            # A failure while draining is kept by the lanes and raised below.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._lanes.drain(), grace)
        await self._lanes.cancel()
        failure: BaseException | None = None
        if self._flusher.done():
            failure = self._flusher.exception()
        else:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        if self._lanes.failure is not None:
            failure = self._lanes.failure.error
        if isinstance(failure, LostLeadership):
            raise failure  # the checkpoint is someone else's now: write nothing
        await self._flush()
        if failure is not None:
            raise failure

    async def drain(self) -> None:
        """Wait until everything fed is done (raises a reaction's failure)."""
        await self._lanes.drain()

    async def _wait_for_room(self) -> None:
        while True:
            done = self._lanes.done_through
            while self._ahead and done is not None and self._ahead[0] <= done:
                self._ahead.popleft()
            if len(self._ahead) < self._bounds.max_ahead:
                return
            await self._lanes.advanced(done)

    async def _flush_continually(self) -> None:
        while True:
            await self._lanes.advanced(self._flushed)
            await asyncio.sleep(self._bounds.flush_interval)  # coalesce what finishes meanwhile
            await self._flush()

    async def _flush(self) -> None:
        """Write the watermark. Shielded and serialised: a flush cancelled while it commits
        still records where the checkpoint went, or the next one would be fenced out."""
        await asyncio.shield(self._flush_once())

    async def _flush_once(self) -> None:
        async with self._flushing:
            await self._write_watermark()

    async def _write_watermark(self) -> None:
        done = self._lanes.done_through
        if done is None or done <= self._flushed:
            return
        transaction_id, position = place_of(done)
        target = Checkpoint(transaction_id, position, self._checkpoint.status)
        async with self._engine.begin() as conn:
            await advance(conn, self._name, self._checkpoint, target)
        self._checkpoint, self._flushed = target, done
