"""Identity's subscribers of the event log: the account history projection, an audit trail of
each account built from the events of its user and its address book."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from application.identity.views import describe
from domain.identity.address_book import AddressBook
from domain.identity.user import User
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.subscribers import FailurePolicy, Interest
from infrastructure.identity.tables import account_history

_STREAM_TYPES = frozenset({User.stream_type, AddressBook.stream_type})


class AccountHistoryProjection:
    """One row per account event, with who did it; rebuildable from the log."""

    name = "account-history"
    on_failure = FailurePolicy.STOP
    interest = Interest.of(stream_types=[User.stream_type, AddressBook.stream_type])

    def __init__(self, registry: EventRegistry) -> None:
        self._registry = registry

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        rows = [self._row(e) for e in events if e.stream_type in _STREAM_TYPES]
        if rows:
            await conn.execute(insert(account_history), rows)

    async def reset(self, conn: AsyncConnection) -> None:
        await conn.execute(account_history.delete())

    def _row(self, stored: StoredEvent) -> dict[str, Any]:
        event = self._registry.decode(stored)
        actor, summary = describe(event)
        return {
            "position": stored.position,
            "user_id": getattr(event, "user_id"),  # noqa: B009 - every identity event has one
            "event_type": stored.event_type,
            "occurred_at": event.occurred_at,
            "actor_id": actor,
            "summary": summary,
        }
