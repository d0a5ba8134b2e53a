"""Reading the log below the transaction horizon, and moving checkpoints (fenced).

See ADR 0005: rows are read in (transaction id, position) order, only below the oldest running
transaction, so nothing can appear behind a checkpoint later."""

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Update, func, literal, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.tables import event_log, subscription_checkpoints

HORIZON = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


@dataclass(frozen=True)
class Checkpoint:
    """Where a subscriber stands: after this (transaction id, position), in this status."""

    transaction_id: int
    position: int
    status: str


class Place(Protocol):
    """A place in the log's order: a stored event, or a checkpoint."""

    @property
    def transaction_id(self) -> int: ...

    @property
    def position(self) -> int: ...


class LostLeadership(Exception):
    """The checkpoint moved under us: another instance (or a rebuild) took over."""


async def ensure_checkpoint(engine: AsyncEngine, name: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            pg_insert(subscription_checkpoints).values(name=name).on_conflict_do_nothing()
        )


async def read_checkpoint(engine: AsyncEngine, name: str) -> Checkpoint:
    query = select(
        subscription_checkpoints.c.transaction_id,
        subscription_checkpoints.c.position,
        subscription_checkpoints.c.status,
    ).where(subscription_checkpoints.c.name == name)
    async with engine.connect() as conn:
        row = (await conn.execute(query)).one()
    return Checkpoint(row.transaction_id, row.position, row.status)


async def read_after(
    engine: AsyncEngine, checkpoint: Checkpoint, *, limit: int
) -> list[StoredEvent]:
    """Committed events after the checkpoint, below the horizon, in subscriber order."""
    after = tuple_(literal(checkpoint.transaction_id), literal(checkpoint.position))
    query = (
        select(event_log)
        .where(tuple_(event_log.c.transaction_id, event_log.c.position) > after)
        .where(event_log.c.transaction_id < HORIZON)
        .order_by(event_log.c.transaction_id, event_log.c.position)
        .limit(limit)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [StoredEvent.from_row(r._mapping) for r in rows]


def update_checkpoint(name: str, **values: Any) -> Update:
    """An UPDATE of the subscriber's checkpoint row that also stamps `updated_at`."""
    return (
        update(subscription_checkpoints)
        .where(subscription_checkpoints.c.name == name)
        .values(**values, updated_at=func.now())
    )


async def advance(conn: AsyncConnection, name: str, checkpoint: Checkpoint, last: Place) -> None:
    """Move the checkpoint to `last`, fenced: it must still be where this batch began."""
    result = await conn.execute(
        update_checkpoint(
            name,
            transaction_id=last.transaction_id,
            position=last.position,
            attempts=0,
            last_error=None,
        ).where(
            subscription_checkpoints.c.transaction_id == checkpoint.transaction_id,
            subscription_checkpoints.c.position == checkpoint.position,
        )
    )
    if result.rowcount != 1:
        raise LostLeadership(name)


async def set_status(engine: AsyncEngine, name: str, status: str, *, error: str | None) -> None:
    async with engine.begin() as conn:
        await conn.execute(update_checkpoint(name, status=status, last_error=error))
