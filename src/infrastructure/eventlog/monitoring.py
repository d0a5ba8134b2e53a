"""Where each subscriber stands, and the operator's levers: resume and rebuild."""

import asyncio
from dataclasses import dataclass

import asyncpg
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.eventlog.checkpoints import ensure_checkpoint, update_checkpoint
from infrastructure.eventlog.subscribers import Projection
from infrastructure.eventlog.subscriptions import RunnerConfig, SubscriptionRunner, lock_key
from infrastructure.eventlog.tables import subscription_checkpoints


@dataclass(frozen=True)
class SubscriptionStatus:
    """Position, backlog and health of one subscriber."""

    name: str
    status: str
    position: int
    pending: int
    lag_seconds: float
    attempts: int
    last_error: str | None
    dead_letters: int


_STATUS = text(
    """
    SELECT c.name, c.status, c.position, c.attempts, c.last_error,
           p.pending,
           coalesce(extract(epoch FROM now() - p.oldest), 0)::float AS lag_seconds,
           (SELECT count(*) FROM subscription_dead_letters d
             WHERE d.subscription = c.name) AS dead_letters
      FROM subscription_checkpoints c
      CROSS JOIN LATERAL (
           SELECT count(*) AS pending, min(e.recorded_at) AS oldest
             FROM event_log e
            WHERE (e.transaction_id, e.position) > (c.transaction_id, c.position)) p
     ORDER BY c.name
    """
)


# Running again, earlier failures forgotten (after a resume or a rebuild).
_RUNNING = {"status": "running", "attempts": 0, "last_error": None}


async def subscription_statuses(engine: AsyncEngine) -> list[SubscriptionStatus]:
    async with engine.connect() as conn:
        rows = (await conn.execute(_STATUS)).all()
    return [SubscriptionStatus(**r._mapping) for r in rows]


async def resume(engine: AsyncEngine, name: str) -> bool:
    """Let a stopped subscriber try again from where it stopped."""
    async with engine.begin() as conn:
        result = await conn.execute(update_checkpoint(name, **_RUNNING))
    return result.rowcount == 1


async def rebuild(
    projection: Projection,
    *,
    engine: AsyncEngine,
    dsn: str,
    config: RunnerConfig,
    wait_seconds: float = 600,
) -> None:
    """Drop the read model and replay the whole log into it. The reset moves the checkpoint to
    the start, fencing off a running leader's in-flight batch; that leader then replays while
    this waits for it to catch up, or, if no worker leads the projection, the replay runs here."""
    await ensure_checkpoint(engine, projection.name)
    async with engine.begin() as conn:
        # Lock the checkpoint first: a leader that already moved it (and holds this row lock)
        # commits before the reset, so the reset removes its rows too.
        await conn.execute(
            select(subscription_checkpoints.c.name)
            .where(subscription_checkpoints.c.name == projection.name)
            .with_for_update()
        )
        await projection.reset(conn)
        await conn.execute(
            update_checkpoint(projection.name, transaction_id=0, position=0, **_RUNNING)
        )
    lock_conn = await asyncpg.connect(dsn)
    try:
        if await lock_conn.fetchval("SELECT pg_try_advisory_lock($1)", lock_key(projection.name)):
            runner = SubscriptionRunner(projection, engine=engine, dsn=dsn, config=config)
            while await runner.step():
                pass
            return
    finally:
        await lock_conn.close()
    async with asyncio.timeout(wait_seconds):
        while True:
            statuses = {s.name: s for s in await subscription_statuses(engine)}
            if statuses[projection.name].pending == 0:
                return
            await asyncio.sleep(0.2)
