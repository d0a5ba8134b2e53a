"""Keyed lanes: concurrency across keys, order within one, a watermark that never passes an
unfinished item, back-pressure, failure confined to its key, and cancellation."""

import asyncio
import random
from collections import defaultdict

import pytest

from infrastructure.eventlog.lanes import Lanes, LanesClosed


async def settle(rounds: int = 20) -> None:
    """Let every runnable task take a few steps (counting loop turns, not time)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


class Gates:
    """A handler whose items wait for their own gate, recording what ran and what runs now."""

    def __init__(self) -> None:
        self.gates: dict[int, asyncio.Event] = defaultdict(asyncio.Event)
        self.started: list[int] = []
        self.finished: list[int] = []

    async def handle(self, seq: int) -> None:
        self.started.append(seq)
        await self.gates[seq].wait()
        self.finished.append(seq)

    def open(self, *seqs: int) -> None:
        for seq in seqs:
            self.gates[seq].set()


async def test_each_key_runs_in_order_while_keys_interleave_under_random_delays() -> None:
    rng = random.Random(7)
    seen: dict[str, list[int]] = defaultdict(list)
    running = 0
    most = 0

    async def handle(item: tuple[str, int]) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        for _ in range(rng.randrange(0, 30)):
            await asyncio.sleep(0)
        key, seq = item
        seen[key].append(seq)
        running -= 1

    lanes: Lanes[tuple[str, int]] = Lanes(handle, max_in_flight=8, max_pending=16)
    submitted: dict[str, list[int]] = defaultdict(list)
    for seq in range(1, 1001):
        key = f"stream-{rng.randrange(20)}"
        submitted[key].append(seq)
        await lanes.submit(key, seq, (key, seq))
    await lanes.drain()

    assert seen == submitted
    assert 1 < most <= 8
    assert lanes.done_through == 1000


async def test_running_items_never_exceed_the_bound_and_pending_never_exceeds_its_own() -> None:
    gates = Gates()
    lanes: Lanes[int] = Lanes(gates.handle, max_in_flight=3, max_pending=5)
    for seq in range(1, 6):
        await lanes.submit(f"k{seq}", seq, seq)
    await settle()
    assert (lanes.running, lanes.pending) == (3, 5)
    assert gates.started == [1, 2, 3]

    blocked = asyncio.create_task(lanes.submit("k6", 6, 6))
    await settle()
    assert not blocked.done()  # back-pressure: five pending, the sixth waits

    gates.open(2)
    await settle()
    assert blocked.done()
    assert gates.started == [1, 2, 3, 4]  # the freed slot went to the oldest waiting item
    gates.open(*range(1, 7))
    await lanes.drain()
    assert lanes.done_through == 6


async def test_the_watermark_stays_below_an_unfinished_item_while_later_keys_finish() -> None:
    gates = Gates()
    lanes: Lanes[int] = Lanes(gates.handle, max_in_flight=4, done_through=10)
    await lanes.submit("slow", 11, 11)
    for seq in (12, 13, 14):
        await lanes.submit(f"fast{seq}", seq, seq)
    gates.open(12, 13, 14)
    await settle()
    assert gates.finished == [12, 13, 14]
    assert lanes.done_through == 10

    gates.open(11)
    assert await lanes.advanced(10) == 14


async def test_items_of_one_key_wait_for_the_one_before_even_with_free_slots() -> None:
    gates = Gates()
    lanes: Lanes[int] = Lanes(gates.handle, max_in_flight=4)
    await lanes.submit("a", 1, 1)
    await lanes.submit("a", 2, 2)
    await lanes.submit("b", 3, 3)
    await settle()
    assert gates.started == [1, 3]
    gates.open(1)
    await settle()
    assert gates.started == [1, 3, 2]
    assert lanes.done_through == 1


async def test_skipped_sequence_numbers_count_as_done_once_everything_before_is() -> None:
    gates = Gates()
    lanes: Lanes[int] = Lanes(gates.handle, max_in_flight=2)
    lanes.skip(1)
    assert lanes.done_through == 1
    await lanes.submit("a", 2, 2)
    lanes.skip(3)
    lanes.skip(4)
    assert lanes.done_through == 1
    gates.open(2)
    assert await lanes.advanced(1) == 4
    assert lanes.pending == 0


async def test_a_failing_item_blocks_only_its_own_key_and_is_raised_to_the_caller() -> None:
    ran: list[int] = []

    async def handle(seq: int) -> None:
        if seq == 2:
            raise RuntimeError("boom")
        ran.append(seq)

    lanes: Lanes[int] = Lanes(handle, max_in_flight=4)
    await lanes.submit("a", 1, 1)
    await lanes.submit("a", 2, 2)
    await lanes.submit("b", 3, 3)
    await lanes.submit("a", 4, 4)
    await lanes.submit("b", 5, 5)
    await settle()

    assert ran == [1, 3, 5]  # the key's later item never ran; the other key went on
    assert lanes.done_through == 1
    assert lanes.failure is not None
    assert (lanes.failure.key, lanes.failure.seq) == ("a", 2)
    with pytest.raises(RuntimeError, match="boom"):
        await lanes.drain()
    with pytest.raises(RuntimeError, match="boom"):
        await lanes.submit("c", 6, 6)
    await lanes.cancel()


async def test_cancel_stops_running_handlers_waits_for_them_and_drops_the_rest() -> None:
    cleaned: list[int] = []
    started: list[int] = []

    async def handle(seq: int) -> None:
        started.append(seq)
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append(seq)

    lanes: Lanes[int] = Lanes(handle, max_in_flight=2, max_pending=4)
    for seq, key in enumerate(["a", "b", "a", "c"], start=1):
        await lanes.submit(key, seq, seq)
    await settle()
    await lanes.cancel()

    assert started == [1, 2]
    assert sorted(cleaned) == [1, 2]  # awaited: their cleanup ran before cancel returned
    assert lanes.running == 0
    assert lanes.done_through is None
    with pytest.raises(LanesClosed):
        await lanes.submit("d", 5, 5)


async def test_sequence_numbers_must_increase() -> None:
    lanes: Lanes[int] = Lanes(Gates().handle, max_in_flight=1, done_through=5)
    with pytest.raises(ValueError, match="not after"):
        await lanes.submit("a", 5, 5)
    lanes.skip(6)
    with pytest.raises(ValueError, match="not after"):
        lanes.skip(6)
    await lanes.cancel()


async def test_a_blocked_key_keeps_no_trace_of_the_items_finished_behind_it() -> None:
    gates = Gates()
    lanes: Lanes[int] = Lanes(gates.handle, max_in_flight=2, max_pending=2)
    await lanes.submit("stuck", 1, 1)
    for seq in range(2, 2002):
        gates.open(seq)
        await lanes.submit(f"k{seq % 7}", seq, seq)
    await settle()
    assert lanes.pending == 1
    assert len(lanes._unfinished) == 1  # memory is bounded by pending, not by the lag
    assert lanes.done_through is None
    gates.open(1)
    assert await lanes.advanced(None) == 2001
