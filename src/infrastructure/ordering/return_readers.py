"""The returns read model: a row per return in `return_views`, mapped to the domain's
ReturnState, and the reader of it (ADR 0039)."""

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from application.ordering.views import ReturnTimelineEntry
from domain.ordering.returns import ReturnState
from domain.ordering.values import ReceivedUnits, ReturnedUnits, ReturnStatus
from domain.shared.money import Money
from infrastructure.eventlog.registry import from_json_value, to_json_value
from infrastructure.ordering.tables import return_timeline, return_views

r = return_views.c


def return_row(state: ReturnState) -> dict[str, Any]:
    return {
        "return_id": state.id,
        "order_id": state.order_id,
        "customer_id": state.customer_id,
        "status": state.status,
        "lines": to_json_value(state.lines),
        "received": to_json_value(state.received),
        "refund_amount": state.refund.amount if state.refund else None,
        "refund_currency": state.refund.currency if state.refund else None,
        "refund_reference": state.refund_reference,
        "refuse_reason": state.refuse_reason,
        "requested_at": state.requested_at,
        "updated_at": state.updated_at,
        "version": state.version,
    }


def return_from_row(row: Mapping[Any, Any]) -> ReturnState:
    refund = None
    if row["refund_amount"] is not None:
        refund = Money.of(row["refund_amount"], row["refund_currency"])
    return ReturnState(
        id=row["return_id"],
        order_id=row["order_id"],
        customer_id=row["customer_id"],
        status=ReturnStatus(row["status"]),
        lines=tuple(from_json_value(ReturnedUnits, line) for line in row["lines"]),
        received=tuple(from_json_value(ReceivedUnits, unit) for unit in row["received"]),
        refund=refund,
        refund_reference=row["refund_reference"],
        refuse_reason=row["refuse_reason"],
        requested_at=row["requested_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


class SqlReturnReader:
    """The ReturnReader port over `return_views`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def details(self, return_id: UUID) -> ReturnState | None:
        found = await self._rows(select(return_views).where(r.return_id == return_id))
        return found[0] if found else None

    async def of_order(self, order_id: UUID) -> list[ReturnState]:
        statement = (
            select(return_views).where(r.order_id == order_id).order_by(r.requested_at, r.return_id)
        )
        return await self._rows(statement)

    async def search(self, *, status: ReturnStatus | None, limit: int) -> list[ReturnState]:
        statement = select(return_views).order_by(r.requested_at.desc(), r.return_id.desc())
        if status is not None:
            statement = statement.where(r.status == status)
        return await self._rows(statement.limit(limit))

    async def timeline(self, order_id: UUID) -> list[ReturnTimelineEntry]:
        t = return_timeline.c
        statement = select(return_timeline).where(t.order_id == order_id).order_by(t.position)
        async with self._engine.connect() as conn:
            return [
                ReturnTimelineEntry(
                    return_id=row.return_id,
                    event_type=row.event_type,
                    occurred_at=row.occurred_at,
                    actor_id=row.actor_id,
                    summary=row.summary,
                )
                for row in await conn.execute(statement)
            ]

    async def _rows(self, statement: Any) -> list[ReturnState]:
        async with self._engine.connect() as conn:
            return [return_from_row(row._mapping) for row in await conn.execute(statement)]
