"""Stream reactors on real PostgreSQL (ADR 0021): many streams at once within a bound, each in
order; a checkpoint that follows the finished prefix in small steps and never passes unfinished
work; crashes and lost leadership that lose nothing and apply nothing twice; parked events that
hold up nobody else; subscribers woken only by what they handle.

Nothing here asserts time: waits are bounded loops that give up (and fail) after a while, since
another test's open transaction anywhere on the server may hold the log's horizon back."""

import asyncio
import contextlib
import json
import random
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from infrastructure.db.engine import asyncpg_dsn
from infrastructure.eventlog.store import NOTIFY_CHANNEL, StoredEvent
from infrastructure.eventlog.subscribers import FailurePolicy, Interest, Subscriber
from infrastructure.eventlog.subscriptions import RunnerConfig, SubscriptionRunner
from infrastructure.eventlog.tables import (
    event_log,
    subscription_checkpoints,
    subscription_dead_letters,
)
from tests.support.eventlog import (
    RecordingReactor,
    append_to,
    deliveries,
    prepare_recordings,
)

CONFIG = RunnerConfig(
    batch_size=50,
    poll_interval=0.2,
    max_attempts=2,
    backoff_base=0.01,
    backoff_cap=0.05,
    max_in_flight=4,
    checkpoint_interval=0.005,
    stop_grace=0.0,
)


@pytest.fixture(autouse=True)
async def recordings(engine: AsyncEngine) -> None:
    await prepare_recordings(engine)


def runner_of(
    subscriber: Subscriber, engine: AsyncEngine, database_url: str, **config: Any
) -> SubscriptionRunner:
    tuned = RunnerConfig(**(CONFIG.__dict__ | config))
    return SubscriptionRunner(
        subscriber, engine=engine, dsn=asyncpg_dsn(database_url), config=tuned
    )


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(3000):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never: {what}")


async def step_until(runner: SubscriptionRunner, done: Callable[[], Awaitable[bool]]) -> None:
    async def stepped() -> bool:
        await runner.step()
        return await done()

    await eventually(stepped, f"{runner.name} caught up")


async def checkpoint_of(engine: AsyncEngine, name: str) -> tuple[int, int]:
    c = subscription_checkpoints.c
    async with engine.connect() as conn:
        query = select(c.transaction_id, c.position).where(c.name == name)
        row = (await conn.execute(query)).one_or_none()
    return (-1, -1) if row is None else (row.transaction_id, row.position)


async def places(engine: AsyncEngine, stream_id: str) -> list[tuple[int, int]]:
    e = event_log.c
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(e.transaction_id, e.position)
            .where(e.stream_id == stream_id)
            .order_by(e.position)
        )
    return [(r.transaction_id, r.position) for r in rows]


@contextlib.asynccontextmanager
async def running(runner: SubscriptionRunner) -> AsyncIterator["asyncio.Task[None]"]:
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        yield task
    finally:
        stop.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_many_streams_run_at_once_within_the_bound_each_in_order_under_random_delays(
    engine: AsyncEngine, database_url: str
) -> None:
    rng = random.Random(3)

    async def jitter(_stored: StoredEvent) -> None:
        for _ in range(rng.randrange(0, 40)):
            await asyncio.sleep(0)

    reactor = RecordingReactor("lanes", engine, before=jitter)
    for round_ in range(4):
        for stream in range(12):
            await append_to(engine, "user", f"s-{stream}", f"{stream}:{round_}")

    await step_until(
        runner_of(reactor, engine, database_url),
        lambda: _count_is(engine, "lanes", 48),
    )

    assert 1 < reactor.most_at_once <= CONFIG.max_in_flight
    handled: dict[str, list[int]] = defaultdict(list)
    for stored in reactor.calls:
        handled[stored.stream_id].append(stored.stream_version)
    assert all(versions == sorted(versions) for versions in handled.values())
    assert all(len(set(versions)) == len(versions) for versions in handled.values())


async def _count_is(engine: AsyncEngine, subscriber: str, expected: int) -> bool:
    return len(await deliveries(engine, subscriber)) == expected


async def test_the_checkpoint_stops_below_a_held_stream_while_the_others_go_on(
    engine: AsyncEngine, database_url: str
) -> None:
    release = asyncio.Event()

    async def hold_slow(stored: StoredEvent) -> None:
        if stored.stream_id == "s-slow":
            await release.wait()

    reactor = RecordingReactor("held", engine, before=hold_slow)
    await append_to(engine, "user", "s-first", "first")
    await append_to(engine, "user", "s-slow", "slow")
    for n in range(5):
        await append_to(engine, "user", f"s-fast-{n}", f"fast-{n}")
    first, slow = (await places(engine, "s-first"))[0], (await places(engine, "s-slow"))[0]

    async with running(runner_of(reactor, engine, database_url)):
        await eventually(lambda: _count_is(engine, "held", 6), "the other streams handled")
        await eventually(
            lambda: _checkpoint_is(engine, "held", first), "the checkpoint passed the first"
        )
        assert await checkpoint_of(engine, "held") < slow  # everything after it is done, too
        release.set()
        await eventually(lambda: _count_is(engine, "held", 7), "the held stream handled")
        last = (await places(engine, "s-fast-4"))[0]
        await eventually(lambda: _checkpoint_is(engine, "held", last), "the checkpoint at the end")


async def _checkpoint_is(engine: AsyncEngine, name: str, place: tuple[int, int]) -> bool:
    return await checkpoint_of(engine, name) == place


async def test_a_runner_killed_mid_batch_kept_its_finished_prefix_and_repeats_no_effect(
    engine: AsyncEngine, database_url: str
) -> None:
    """The checkpoint moves while the batch is still running; after the kill a new runner
    re-handles only what lay above it, and every effect exists once."""
    held = asyncio.Event()  # never set: the ninth reaction hangs until the runner is killed

    async def hang_at_the_ninth(stored: StoredEvent) -> None:
        if stored.payload["full_name"] == "e-8":
            await held.wait()

    dying = RecordingReactor("killed", engine, before=hang_at_the_ninth)
    for n in range(20):
        await append_to(engine, "user", "s-one" if n < 12 else f"s-{n}", f"e-{n}")
    one = await places(engine, "s-one")

    async with running(runner_of(dying, engine, database_url)) as task:
        await eventually(lambda: _count_is(engine, "killed", 16), "all but the held stream")
        await eventually(
            lambda: _checkpoint_is(engine, "killed", one[7]), "the prefix before the hang"
        )
        task.cancel()  # the worker dies with the ninth reaction in flight
    at_kill = await checkpoint_of(engine, "killed")
    assert at_kill == one[7]

    restarted = RecordingReactor("killed", engine)
    await step_until(
        runner_of(restarted, engine, database_url), lambda: _count_is(engine, "killed", 20)
    )
    again = [(s.transaction_id, s.position) for s in restarted.calls]
    assert all(place > at_kill for place in again)  # nothing below the checkpoint ran twice
    names = await deliveries(engine, "killed")
    assert sorted(names) == sorted(f"e-{n}" for n in range(20))  # each effect exactly once


async def test_lost_leadership_cancels_and_awaits_what_is_in_flight_and_writes_nothing(
    engine: AsyncEngine, database_url: str
) -> None:
    release = asyncio.Event()
    cancelled: list[str] = []

    async def hold(stored: StoredEvent) -> None:
        if stored.stream_id == "s-quick":
            return
        try:
            await (release.wait() if stored.stream_id == "s-released" else asyncio.Event().wait())
        except asyncio.CancelledError:
            cancelled.append(stored.stream_id)
            raise

    reactor = RecordingReactor("deposed", engine, before=hold)
    await append_to(engine, "user", "s-quick", "quick")
    await append_to(engine, "user", "s-released", "released")
    await append_to(engine, "user", "s-forever", "forever")
    quick, end = (await places(engine, "s-quick"))[0], (await places(engine, "s-forever"))[0]

    async with running(runner_of(reactor, engine, database_url)):
        await eventually(lambda: _checkpoint_is(engine, "deposed", quick), "the quick one done")
        await eventually(lambda: _running_is(reactor, 2), "two reactions in flight")
        # Someone else takes the checkpoint past everything (a rebuild, a new leader).
        async with engine.begin() as conn:
            await conn.execute(
                update(subscription_checkpoints)
                .where(subscription_checkpoints.c.name == "deposed")
                .values(transaction_id=end[0], position=end[1])
            )
        release.set()  # its watermark's flush is fenced out: leadership is lost
        await eventually(lambda: _running_is(reactor, 0), "the term ended")
        assert cancelled == ["s-forever"]  # cancelled, and awaited before the term ended
        assert await checkpoint_of(engine, "deposed") == end  # the old term wrote nothing
    assert "forever" not in await deliveries(engine, "deposed")
    assert len(reactor.calls) == 3  # the next term began at the new checkpoint: nothing again


async def _running_is(reactor: RecordingReactor, n: int) -> bool:
    return reactor.running == n


async def test_a_parked_event_holds_up_only_the_later_events_of_its_own_stream(
    engine: AsyncEngine, database_url: str
) -> None:
    others_done = asyncio.Event()
    order: list[str] = []

    async def fail_bad_after_the_others(stored: StoredEvent) -> None:
        name = str(stored.payload["full_name"])
        if name == "bad":
            await others_done.wait()  # deadlocks unless the other streams run meanwhile
            raise RuntimeError("cannot handle bad")
        order.append(name)
        if sum(n.startswith("other") for n in order) == 5:
            others_done.set()

    reactor = RecordingReactor("parking", engine, before=fail_bad_after_the_others)
    await append_to(engine, "user", "s-bad", "bad", "after-bad")
    for n in range(5):
        await append_to(engine, "user", f"s-other-{n}", f"other-{n}")

    # The runner, not single steps: its reader goes on reading while "bad" is in flight, so the
    # other streams arrive however the horizon splits the log into reads.
    async with running(runner_of(reactor, engine, database_url)):
        await eventually(lambda: _count_is(engine, "parking", 6), "all but the parked one")
        last = (await places(engine, "s-other-4"))[0]
        await eventually(lambda: _checkpoint_is(engine, "parking", last), "past the parked one")

    assert order.index("after-bad") > max(order.index(f"other-{n}") for n in range(5))
    async with engine.connect() as conn:
        parked = (
            await conn.execute(
                select(subscription_dead_letters.c.event_type).where(
                    subscription_dead_letters.c.subscription == "parking"
                )
            )
        ).all()
    assert len(parked) == 1


async def test_the_append_notification_names_the_types_appended(
    engine: AsyncEngine, database_url: str
) -> None:
    listener = await asyncpg.connect(asyncpg_dsn(database_url))
    payloads: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(NOTIFY_CHANNEL, lambda *args: payloads.put_nowait(args[3]))
    try:
        await append_to(engine, "product", "p-1", "mug")
        payload = await asyncio.wait_for(payloads.get(), 30)
    finally:
        await listener.close()

    assert json.loads(payload) == {
        "stream_types": ["product"],
        "event_types": ["UserProfileUpdated"],
    }
    orders = Interest.of(stream_types=["order"])
    assert not orders.woken_by(payload)
    assert Interest.of(stream_types=["product"]).woken_by(payload)
    assert Interest().woken_by(payload)
    assert orders.woken_by("")  # a notification that names nothing wakes everyone


async def test_a_subscriber_of_orders_runs_no_query_for_a_catalog_append(
    database_url: str, engine: AsyncEngine
) -> None:
    own = create_async_engine(database_url.replace("postgresql://", "postgresql+asyncpg://"))
    statements: list[str] = []
    event.listen(own.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    listener = await asyncpg.connect(asyncpg_dsn(database_url))
    seen: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(NOTIFY_CHANNEL, lambda *args: seen.put_nowait(args[3]))
    reactor = RecordingReactor("orders-only", own, stream_types=["order"])
    # Appended before the runner listens: its first read finds it, and no notification of an
    # event it has already read sends it looking again (a woken runner that finds nothing
    # retries at a growing interval, in case the event is still above the horizon).
    await append_to(engine, "order", "order-1", "placed")
    try:
        async with running(runner_of(reactor, own, database_url, poll_interval=60.0)):
            await eventually(lambda: _count_is(engine, "orders-only", 1), "the order handled")
            await eventually(lambda: _reads_settled(statements), "idle")
            before = len(statements)

            await append_to(engine, "product", "p-1", "mug")
            while "product" not in await seen.get():
                pass
            for _ in range(50):  # give a wake-up every chance to show itself
                await asyncio.sleep(0.01)
            assert len(statements) == before  # not woken: no checkpoint read, no batch read

            await append_to(engine, "order", "order-2", "placed")
            await eventually(lambda: _count_is(engine, "orders-only", 2), "the next order")
    finally:
        await listener.close()
        await own.dispose()


async def _reads_settled(statements: list[str]) -> bool:
    before = len(statements)
    for _ in range(20):
        await asyncio.sleep(0.01)
    return len(statements) == before


async def test_a_batch_subscriber_is_handed_only_what_it_declares_and_moves_past_the_rest(
    engine: AsyncEngine, database_url: str
) -> None:
    handed: list[str] = []

    class Users:
        name = "users-only"
        on_failure = FailurePolicy.STOP
        interest = Interest.of(stream_types=["user"])

        async def handle(self, events: Any, conn: Any) -> None:
            handed.extend(e.stream_type for e in events)

    await append_to(engine, "product", "p-1", "mug")
    await append_to(engine, "user", "u-1", "Ada")
    await append_to(engine, "product", "p-2", "pot")
    last = (await places(engine, "p-2"))[0]

    runner = runner_of(Users(), engine, database_url)
    await step_until(runner, lambda: _checkpoint_is(engine, "users-only", last))
    assert handed == ["user"]
