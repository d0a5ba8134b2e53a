"""The event log on real PostgreSQL: appends, ordering under concurrency, exactly-once
subscribers, failure policies, rebuilds."""

import asyncio
import uuid
from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.identity.commands import RegisterUser
from application.identity.deps import IdentityDeps
from application.identity.handlers import user as accounts
from application.shared.context import CallContext, current_call
from application.shared.errors import ConcurrencyConflict
from domain.identity.errors import WeakPassword
from infrastructure.db.engine import asyncpg_dsn
from infrastructure.eventlog.checkpoints import LostLeadership, read_checkpoint
from infrastructure.eventlog.monitoring import rebuild, resume, subscription_statuses
from infrastructure.eventlog.store import (
    NO_STREAM,
    EventStore,
    NewEvents,
    PendingEvent,
    StoredEvent,
)
from infrastructure.eventlog.subscribers import FailurePolicy, Subscriber
from infrastructure.eventlog.subscriptions import RunnerConfig, SubscriptionRunner
from infrastructure.eventlog.tables import event_log, subscription_dead_letters
from infrastructure.identity.subscribers import AccountHistoryProjection
from infrastructure.identity.tables import account_history
from infrastructure.identity.unit_of_work import SqlIdentityUnitOfWork
from tests.support.eventlog import (
    REGISTRY,
    RecordingSubscriber,
    an_event,
    append,
    deliveries,
    prepare_recordings,
)
from tests.support.fakes.identity import (
    COMMON_PASSWORDS,
    FakeHasher,
    FakeMail,
    FakeThrottle,
    FakeTokens,
)
from tests.support.fakes.shared import FixedClock
from tests.support.gift_card import NOW, GiftCard, GiftCardRedeemed, GiftCards, gift_card_registry

FAST = RunnerConfig(
    batch_size=50, poll_interval=0.2, max_attempts=3, backoff_base=0.01, backoff_cap=0.5
)


@pytest.fixture(autouse=True)
async def clean_log(engine: AsyncEngine) -> None:
    await prepare_recordings(engine)


def runner(subscriber: Subscriber, engine: AsyncEngine, database_url: str) -> SubscriptionRunner:
    return SubscriptionRunner(
        subscriber,
        engine=engine,
        dsn=asyncpg_dsn(database_url),
        config=FAST,
    )


def new_events(stream_id: str, *events: PendingEvent, expected: int | None = None) -> NewEvents:
    return NewEvents("user", stream_id, list(events), expected_version=expected)


async def count(engine: AsyncEngine, stream_id: str) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).where(event_log.c.stream_id == stream_id)
        return int((await conn.execute(query)).scalar_one())


async def test_two_writers_racing_on_one_stream_one_wins_and_nothing_partial(
    engine: AsyncEngine,
) -> None:
    first, second = await engine.connect(), await engine.connect()
    try:
        await first.begin()
        await second.begin()
        await EventStore(first, REGISTRY).append(
            [new_events("s-race", PendingEvent.new(an_event("first")), expected=NO_STREAM)]
        )
        losing = asyncio.create_task(
            EventStore(second, REGISTRY).append(
                [
                    new_events(
                        "s-race",
                        *(PendingEvent.new(an_event(n)) for n in ("a", "b", "c")),
                        expected=NO_STREAM,
                    )
                ]
            )
        )
        await asyncio.sleep(0.2)  # the second insert now waits on the first's unique-key lock
        await first.commit()
        with pytest.raises(ConcurrencyConflict):
            await losing
    finally:
        await first.close()
        await second.close()
    assert await count(engine, "s-race") == 1


async def test_an_append_expecting_an_older_version_is_a_conflict(engine: AsyncEngine) -> None:
    await append(engine, "s-stale", "one", "two", expected=NO_STREAM)
    with pytest.raises(ConcurrencyConflict, match="at version 2, not 1"):
        await append(engine, "s-stale", "three", expected=1)
    await append(engine, "s-stale", "three", expected=2)
    assert await count(engine, "s-stale") == 3


async def test_appending_the_same_event_ids_again_is_a_duplicate_not_a_conflict(
    engine: AsyncEngine,
) -> None:
    batch = [PendingEvent.new(an_event("x")), PendingEvent.new(an_event("y"))]
    for attempt in range(2):
        async with engine.begin() as conn:
            [result] = await EventStore(conn, REGISTRY).append([new_events("s-dup", *batch)])
        assert result.duplicate is (attempt == 1)
        assert result.version == 2
    assert await count(engine, "s-dup") == 2


async def test_event_sourced_repository_replays_and_guards_versions(engine: AsyncEngine) -> None:
    registry = gift_card_registry()
    card = GiftCard.issue(uuid.uuid4(), 100)
    async with GiftCards(engine, registry) as uow:
        await uow.cards.add(card)
        await uow.commit()
    async with GiftCards(engine, registry) as uow:
        mine = await uow.cards.get(card.stream_id)
        assert mine is not None
        mine.redeem(30)
        # A writer that does not queue on the stream's lock appends meanwhile.
        assert card.card_id is not None
        redeemed = GiftCardRedeemed(occurred_at=NOW, card_id=card.card_id, amount=50)
        async with engine.begin() as other:
            await EventStore(other, registry).append(
                [NewEvents("gift-card", card.stream_id, [PendingEvent.new(redeemed)])]
            )
        with pytest.raises(ConcurrencyConflict, match="at version 2, not 1"):
            await uow.commit()
    async with GiftCards(engine, registry) as uow:
        loaded = await uow.cards.get(card.stream_id)
    assert loaded is not None
    assert (loaded.balance, loaded.version) == (50, 2)


async def test_writers_of_one_stream_queue_on_its_lock_and_lose_nothing(
    engine: AsyncEngine,
) -> None:
    registry = gift_card_registry()
    card = GiftCard.issue(uuid.uuid4(), 100)
    async with GiftCards(engine, registry) as uow:
        await uow.cards.add(card)
        await uow.commit()

    async def redeem(amount: int) -> None:
        async with GiftCards(engine, registry) as uow:
            loaded = await uow.cards.get(card.stream_id)
            assert loaded is not None
            await asyncio.sleep(0.05)  # the other writer now waits on the lock
            loaded.redeem(amount)
            await uow.commit()

    await asyncio.gather(redeem(30), redeem(50))
    async with GiftCards(engine, registry) as uow:
        loaded = await uow.cards.get(card.stream_id)
    assert loaded is not None
    assert (loaded.balance, loaded.version) == (20, 3)


async def test_identity_commands_write_their_events_in_the_same_transaction(
    engine: AsyncEngine,
) -> None:
    deps = IdentityDeps(
        uow=lambda: SqlIdentityUnitOfWork(engine, REGISTRY),
        hasher=FakeHasher(),
        tokens=FakeTokens(),
        throttle=FakeThrottle(),
        clock=FixedClock(),
        session_lifetime=timedelta(days=1),
        common_passwords=COMMON_PASSWORDS,
        mail=FakeMail(),
        guest_lifetime=timedelta(days=1),
        verification_lifetime=timedelta(days=1),
        verification_link="https://shop.example/verify-email",
    )
    token = current_call.set(CallContext(correlation_id="req-42", actor_id="someone"))
    try:
        user = await accounts.register_user(
            RegisterUser(
                email="logged@example.com",
                password="long-enough-pass",
                full_name="L",
                client_ip="192.0.2.1",
            ),
            deps=deps,
        )
        with pytest.raises(WeakPassword):
            await accounts.register_user(
                RegisterUser(
                    email="weak@example.com", password="short", full_name="W", client_ip="192.0.2.1"
                ),
                deps=deps,
            )
    finally:
        current_call.reset(token)
    async with engine.connect() as conn:
        rows = (await conn.execute(select(event_log))).all()
    assert [(r.stream_id, r.event_type, r.stream_version) for r in rows] == [
        (str(user.id), "UserRegistered", 1)
    ]
    assert rows[0].metadata == {"correlation_id": "req-42", "actor_id": "someone"}
    assert rows[0].payload["email"] == "logged@example.com"


async def test_an_open_transaction_holds_back_later_commits_and_is_never_skipped(
    engine: AsyncEngine, database_url: str
) -> None:
    subscriber = runner(RecordingSubscriber("tail"), engine, database_url)
    await append(engine, "s-before", "before")
    slow = await engine.connect()
    try:
        await slow.begin()
        await EventStore(slow, REGISTRY).append(
            [new_events("s-slow", PendingEvent.new(an_event("slow")))]
        )
        await append(engine, "s-fast", "fast")  # higher position, committed first

        await subscriber.step()
        assert await deliveries(engine, "tail") == ["before"]  # not "fast": "slow" may commit

        await slow.commit()
    finally:
        await slow.close()
    while await subscriber.step():
        pass
    assert await deliveries(engine, "tail") == ["before", "slow", "fast"]


async def test_concurrent_writers_and_two_tailing_subscribers_deliver_each_event_once(
    engine: AsyncEngine, database_url: str
) -> None:
    writers, appends = 8, 200
    stop = asyncio.Event()
    tails = [runner(RecordingSubscriber(f"tail-{n}"), engine, database_url) for n in (1, 2)]
    tasks = [asyncio.create_task(t.run(stop)) for t in tails]

    async def writer(n: int) -> None:
        for i in range(appends):
            await append(engine, f"writer-{n}-{i % 7}", f"{n}:{i}")

    await asyncio.gather(*(writer(n) for n in range(writers)))

    async def caught_up() -> bool:
        counts = [len(await deliveries(engine, t.name)) for t in tails]
        return all(c >= writers * appends for c in counts)

    async with asyncio.timeout(60):
        while not await caught_up():
            await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # give any duplicate delivery the chance to show up
    stop.set()
    await asyncio.gather(*tasks)

    for tail in tails:
        delivered = await deliveries(engine, tail.name)
        assert len(delivered) == len(set(delivered)) == writers * appends
        for n in range(writers):  # each writer's events arrive in the order it wrote them
            mine = [int(d.split(":")[1]) for d in delivered if d.startswith(f"{n}:")]
            assert mine == sorted(mine)


async def test_a_projection_that_keeps_failing_stops_where_it_failed(
    engine: AsyncEngine, database_url: str
) -> None:
    await append(engine, "s-p", "ok-1", "poison", "ok-2")
    projection = runner(RecordingSubscriber("fragile", fail_on="poison"), engine, database_url)
    stop = asyncio.Event()
    task = asyncio.create_task(projection.run(stop))
    async with asyncio.timeout(30):
        while [s.status for s in await subscription_statuses(engine) if s.name == "fragile"] != [
            "stopped"
        ]:
            await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # a stopped projection stays put, however often it polls
    stop.set()
    await task

    assert await deliveries(engine, "fragile") == ["ok-1"]
    [status] = [s for s in await subscription_statuses(engine) if s.name == "fragile"]
    assert status.status == "stopped"
    assert status.pending == 2
    assert "cannot handle poison" in (status.last_error or "")


async def test_a_side_effect_that_keeps_failing_parks_the_event_and_goes_on(
    engine: AsyncEngine, database_url: str
) -> None:
    await append(engine, "s-q", "ok-1", "poison", "ok-2")
    effect = runner(
        RecordingSubscriber("mailer", on_failure=FailurePolicy.PARK, fail_on="poison"),
        engine,
        database_url,
    )
    while await effect.step():
        pass

    assert await deliveries(engine, "mailer") == ["ok-1", "ok-2"]
    async with engine.connect() as conn:
        parked = (await conn.execute(select(subscription_dead_letters))).all()
    assert [(p.subscription, p.attempts) for p in parked] == [("mailer", FAST.max_attempts)]
    [status] = [s for s in await subscription_statuses(engine) if s.name == "mailer"]
    assert (status.status, status.pending, status.dead_letters) == ("running", 0, 1)


async def test_a_deposed_leader_cannot_move_the_checkpoint(
    engine: AsyncEngine, database_url: str
) -> None:
    await append(engine, "s-f", "one", "two")
    a = runner(RecordingSubscriber("fenced"), engine, database_url)
    await a.step()
    checkpoint = await read_checkpoint(engine, "fenced")
    async with engine.begin() as conn:  # someone else moves it (a rebuild, a new leader)
        await conn.execute(
            text("UPDATE subscription_checkpoints SET position = 0 WHERE name = 'fenced'")
        )
    await append(engine, "s-f", "three")

    events = [
        e
        for e in await __import__(
            "infrastructure.eventlog.subscriptions", fromlist=["read_after"]
        ).read_after(engine, checkpoint, limit=10)
    ]
    with pytest.raises(LostLeadership):
        await a._apply(events, checkpoint)
    assert await deliveries(engine, "fenced") == ["one", "two"]


async def test_a_rebuilt_read_model_equals_the_incrementally_built_one(
    engine: AsyncEngine, database_url: str
) -> None:
    projection = AccountHistoryProjection(REGISTRY)
    history = runner(projection, engine, database_url)
    for n in range(5):
        await append(engine, str(uuid.uuid4()), f"name-{n}", f"again-{n}")
        while await history.step():
            pass

    async def snapshot() -> list[tuple[object, ...]]:
        async with engine.connect() as conn:
            rows = await conn.execute(select(account_history).order_by(account_history.c.position))
            return [tuple(r) for r in rows]

    incremental = await snapshot()
    assert len(incremental) == 10
    await rebuild(projection, engine=engine, dsn=asyncpg_dsn(database_url), config=FAST)
    assert await snapshot() == incremental


async def test_status_reports_backlog_and_lag(engine: AsyncEngine, database_url: str) -> None:
    tail = runner(RecordingSubscriber("lagging"), engine, database_url)
    await tail.step()  # creates nothing to do yet
    await append(engine, "s-l", "a", "b", "c")
    await asyncio.sleep(0.05)
    [status] = [s for s in await subscription_statuses(engine) if s.name == "lagging"]
    assert status.pending == 3
    assert status.lag_seconds > 0
    while await tail.step():
        pass
    [status] = [s for s in await subscription_statuses(engine) if s.name == "lagging"]
    assert (status.pending, status.lag_seconds) == (0, 0)


class FlakyDatabase:
    """Fails like a restarting PostgreSQL for its first calls, then works."""

    name = "flaky"
    on_failure = FailurePolicy.STOP

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.inner = RecordingSubscriber("flaky")

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise OperationalError("SELECT 1", {}, Exception("terminating connection"))
        await self.inner.handle(events, conn)


async def test_a_database_outage_neither_stops_a_projection_nor_kills_its_runner(
    engine: AsyncEngine, database_url: str
) -> None:
    await append(engine, "s-o", "one", "two")
    flaky = FlakyDatabase(failures=FAST.max_attempts + 2)  # more than the policy would allow
    stop = asyncio.Event()
    task = asyncio.create_task(runner(flaky, engine, database_url).run(stop))
    async with asyncio.timeout(30):
        while await deliveries(engine, "flaky") != ["one", "two"]:
            await asyncio.sleep(0.1)
    stop.set()
    await task
    [status] = [s for s in await subscription_statuses(engine) if s.name == "flaky"]
    assert (status.status, status.dead_letters) == ("running", 0)


async def test_a_stopped_projection_carries_on_after_resume_without_a_restart(
    engine: AsyncEngine, database_url: str
) -> None:
    await append(engine, "s-r", "ok-1", "poison", "ok-2")
    fragile = RecordingSubscriber("resumable", fail_on="poison")
    stop = asyncio.Event()
    task = asyncio.create_task(runner(fragile, engine, database_url).run(stop))
    async with asyncio.timeout(30):
        while [s.status for s in await subscription_statuses(engine) if s.name == fragile.name] != [
            "stopped"
        ]:
            await asyncio.sleep(0.1)

    fragile.fail_on = None  # the bug is fixed and deployed
    assert await resume(engine, fragile.name)
    async with asyncio.timeout(30):
        while await deliveries(engine, fragile.name) != ["ok-1", "poison", "ok-2"]:
            await asyncio.sleep(0.1)
    assert not task.done()  # the same runner carried on
    stop.set()
    await task


async def test_a_notified_event_held_back_by_an_open_transaction_is_read_once_it_ends(
    engine: AsyncEngine, database_url: str
) -> None:
    """The end of the older transaction sends no notification; the runner must not wait for
    its next poll (a minute here) to read the event that notification announced."""
    patient = SubscriptionRunner(
        RecordingSubscriber("patient"),
        engine=engine,
        dsn=asyncpg_dsn(database_url),
        config=RunnerConfig(batch_size=50, poll_interval=60.0),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(patient.run(stop))
    try:
        while not patient.is_leader:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # past its first, empty read: waiting now
        blocker = await engine.connect()
        try:
            await blocker.begin()
            await blocker.execute(text("SELECT pg_current_xact_id()"))  # holds the horizon
            await append(engine, "s-held", "held")  # commits and notifies
            await asyncio.sleep(0.1)
            assert await deliveries(engine, "patient") == []  # above the horizon, so far
            await blocker.rollback()
        finally:
            await blocker.close()
        for _ in range(200):  # 10 s at most, far below the minute-long poll
            if await deliveries(engine, "patient"):
                break
            await asyncio.sleep(0.05)
        assert await deliveries(engine, "patient") == ["held"]
    finally:
        stop.set()
        await task
