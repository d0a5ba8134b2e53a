"""The account history projection: an audit trail of each account, built from identity events."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index, Table, Text, Uuid, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.identity import events as ev
from domain.shared.events import DomainEvent
from infrastructure.db.metadata import metadata
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.subscriptions import FailurePolicy
from infrastructure.identity.event_types import USER_STREAM

account_history = Table(
    "account_history",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("user_id", Uuid, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor_id", Uuid, nullable=True),
    Column("summary", Text, nullable=False),
    Index("ix_account_history_user_id_position", "user_id", "position"),
)


class AccountHistoryProjection:
    """One row per account event, with who did it; rebuildable from the log."""

    name = "account-history"
    on_failure = FailurePolicy.STOP

    def __init__(self, registry: EventRegistry) -> None:
        self._registry = registry

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        rows = [self._row(e) for e in events if e.stream_type == USER_STREAM]
        if rows:
            await conn.execute(insert(account_history), rows)

    async def reset(self, conn: AsyncConnection) -> None:
        await conn.execute(account_history.delete())

    def _row(self, stored: StoredEvent) -> dict[str, Any]:
        event = self._registry.deserialize(
            stored.event_type, stored.schema_version, dict(stored.payload)
        )
        actor, summary = describe(event)
        return {
            "position": stored.position,
            "user_id": getattr(event, "user_id"),  # noqa: B009 - every identity event has one
            "event_type": stored.event_type,
            "occurred_at": event.occurred_at,
            "actor_id": actor,
            "summary": summary,
        }


def describe(event: DomainEvent) -> tuple[Any, str]:
    """Who acted, and a line a human reads."""
    match event:
        case ev.UserRegistered(roles=roles):
            return None, f"registered as {', '.join(roles)}"
        case ev.UserProfileUpdated(full_name=name):
            return event.user_id, f"profile updated (name: {name})"
        case ev.PasswordChanged():
            return event.user_id, "password changed"
        case ev.RoleGranted(role=role, granted_by=by):
            return by, f"role {role} granted"
        case ev.RoleRevoked(role=role, revoked_by=by):
            return by, f"role {role} revoked"
        case ev.UserDeactivated(deactivated_by=by):
            return by, "deactivated"
        case ev.UserReactivated(reactivated_by=by):
            return by, "reactivated"
    return None, type(event).__name__
