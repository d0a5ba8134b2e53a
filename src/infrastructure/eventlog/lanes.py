"""Keyed lanes: many keys at once, each key strictly in order, with a watermark (ADR 0021).

`Lanes` runs an async handler over items that arrive in sequence order. Items with the same key
(a stream id, a Kafka record key) run one after another, in the order they were submitted; items
with different keys run concurrently, at most `max_in_flight` at a time. The caller learns how
far it may commit from `done_through`: the highest submitted sequence number at or below which
every item is done. It knows nothing of where items come from, so the event-log runner (sequence
= its read order) and a Kafka consumer (sequence = offset) share it.

Interface (stable; changes stay backward compatible):

- ``Lanes(handle, max_in_flight=, max_pending=None, done_through=None)``: `handle(item)` is
  awaited once per item. `max_pending` (default twice `max_in_flight`) bounds the items accepted
  and not yet done, running or waiting behind their key; `done_through` is the starting
  watermark (e.g. a stored checkpoint's sequence), None for "nothing yet".
- ``await submit(key, seq, item)``: accept an item. `seq` must be greater than every sequence
  number passed before (to `submit` or `skip`). Waits while `max_pending` items are pending
  (back-pressure). One producer submits; calls are not meant to overlap.
- ``skip(seq)``: a sequence number with nothing to run (an event no handler wants); it counts as
  done as soon as everything before it is, and takes no slot.
- ``done_through`` (property): the watermark, never decreasing. ``await advanced(past)`` waits
  until it is above `past` and returns it.
- ``running``, ``pending`` (properties): items being handled now; items accepted and not done.
- ``await drain()``: wait until every accepted item is done.
- ``await cancel()``: cancel running handlers, drop waiting items, await the cancelled ones; the
  lanes accept nothing afterwards. Always call it (or `drain`) before dropping the lanes.
- A handler that raises blocks its key: that key's later items never start, and the watermark
  stays below the failed item. Other keys carry on. The exception is kept in ``failure`` and
  raised again, as is, from the next `submit`, `advanced` or `drain`; the caller decides (cancel
  and start over from its last commit, typically). Handlers that want to park or retry an item
  do so inside `handle` and return normally.
"""

import asyncio
import heapq
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class LanesClosed(Exception):
    """The lanes were cancelled; they accept no more items."""


@dataclass(frozen=True)
class LaneFailure:
    """The first item whose handler raised: its key is blocked from here on."""

    key: Hashable
    seq: int
    error: BaseException


@dataclass(eq=False)
class _Entry(Generic[T]):
    seq: int
    key: Hashable
    item: T


class Lanes(Generic[T]):
    """Bounded, per-key ordered concurrency over sequence-numbered items, with a watermark."""

    def __init__(
        self,
        handle: Callable[[T], Awaitable[None]],
        *,
        max_in_flight: int,
        max_pending: int | None = None,
        done_through: int | None = None,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        pending_bound = max_pending if max_pending is not None else 2 * max_in_flight
        if pending_bound < max_in_flight:
            raise ValueError("max_pending must be at least max_in_flight")
        self._handle = handle
        self._max_in_flight = max_in_flight
        self._max_pending = pending_bound
        self._done_through = done_through
        self._last_seq = done_through
        # Accepted items not done, oldest first, each with the sequence number seen just before
        # it: the watermark is that number for the oldest one. Done items and skips leave no
        # trace, so memory is bounded by `max_pending` however long one key stays blocked.
        self._unfinished: dict[int, int | None] = {}
        self._waiting: dict[Hashable, deque[_Entry[T]]] = {}  # per key, not yet started
        self._ready: list[tuple[int, Hashable]] = []  # (head seq, key) of idle keys, a heap
        self._busy: set[Hashable] = set()  # keys with an item running, or blocked by a failure
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending = 0
        self._failure: LaneFailure | None = None
        self._closed = False
        self._changed = asyncio.Event()

    # -- what the caller reads --------------------------------------------------------------

    @property
    def done_through(self) -> int | None:
        """The highest sequence number at or below which every submitted item is done."""
        return self._done_through

    @property
    def running(self) -> int:
        return len(self._tasks)

    @property
    def pending(self) -> int:
        return self._pending

    @property
    def failure(self) -> LaneFailure | None:
        return self._failure

    # -- what the caller does ---------------------------------------------------------------

    async def submit(self, key: Hashable, seq: int, item: T) -> None:
        """Accept `item` under `key`; waits while `max_pending` items are pending."""
        self._raise_if_stopped()
        self._check_next(seq)
        while self._pending >= self._max_pending:
            self._raise_if_stopped()
            await self._next_change()
        self._check_next(seq)
        entry: _Entry[T] = _Entry(seq=seq, key=key, item=item)
        self._unfinished[seq] = self._last_seq
        self._last_seq = seq
        self._pending += 1
        queue = self._waiting.get(key)
        if queue is None:
            queue = self._waiting[key] = deque()
            if key not in self._busy:
                heapq.heappush(self._ready, (seq, key))
        queue.append(entry)
        self._dispatch()

    def skip(self, seq: int) -> None:
        """Mark `seq` as having nothing to run; it is done once everything before it is."""
        self._check_next(seq)
        self._last_seq = seq
        if not self._unfinished:
            self._set_done_through(seq)

    async def advanced(self, past: int | None) -> int | None:
        """Wait until the watermark is above `past` (any value counts when `past` is None)."""
        while not self._is_above(past):
            self._raise_if_stopped()
            await self._next_change()
        return self._done_through

    async def drain(self) -> None:
        """Wait until every accepted item is done."""
        while self._pending:
            self._raise_if_stopped()
            await self._next_change()

    async def cancel(self) -> None:
        """Cancel running handlers and wait for them; drop the rest. Nothing runs afterwards."""
        self._closed = True
        self._waiting.clear()
        self._ready.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._notify()

    # -- inside -----------------------------------------------------------------------------

    def _check_next(self, seq: int) -> None:
        if self._closed:
            raise LanesClosed("the lanes were cancelled")
        if self._last_seq is not None and seq <= self._last_seq:
            raise ValueError(f"sequence {seq} is not after {self._last_seq}")

    def _raise_if_stopped(self) -> None:
        if self._failure is not None:
            raise self._failure.error
        if self._closed:
            raise LanesClosed("the lanes were cancelled")

    def _is_above(self, past: int | None) -> bool:
        if self._done_through is None:
            return False
        return past is None or self._done_through > past

    async def _next_change(self) -> None:
        await self._changed.wait()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _dispatch(self) -> None:
        while self._ready and len(self._tasks) < self._max_in_flight:
            _, key = heapq.heappop(self._ready)
            queue = self._waiting[key]
            entry = queue.popleft()
            if not queue:
                del self._waiting[key]
            self._busy.add(key)
            task = asyncio.create_task(self._run(entry))
            self._tasks.add(task)

    async def _run(self, entry: _Entry[T]) -> None:
        failed = False
        try:
            await self._handle(entry.item)
        except asyncio.CancelledError:
            self._tasks.discard(asyncio.current_task())
            raise
        except Exception as exc:  # kept, and raised from the caller's next call
            failed = True
            if self._failure is None:
                self._failure = LaneFailure(key=entry.key, seq=entry.seq, error=exc)
        self._tasks.discard(asyncio.current_task())
        self._finish(entry, failed=failed)

    def _finish(self, entry: _Entry[T], *, failed: bool) -> None:
        if not failed:  # a failed item keeps its key busy and the watermark below it
            self._pending -= 1
            self._busy.discard(entry.key)
            queue = self._waiting.get(entry.key)
            if queue:
                heapq.heappush(self._ready, (queue[0].seq, entry.key))
            self._unfinished.pop(entry.seq)
            # Done through the number seen before the oldest unfinished item, or, with none
            # left, through the last number seen (this item, or a skip after it).
            oldest = next(iter(self._unfinished), None)
            below = self._last_seq if oldest is None else self._unfinished[oldest]
            if below is not None:
                self._set_done_through(below)
        if not self._closed:
            self._dispatch()
        self._notify()

    def _set_done_through(self, seq: int) -> None:
        if self._done_through is None or seq > self._done_through:
            self._done_through = seq
            self._notify()
