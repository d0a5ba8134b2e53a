"""A return's state after its events: `ReturnState.evolve` is the return's one state machine,
folded by the Return aggregate and the returns projection alike (ADR 0039)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from domain.ordering import events as ev
from domain.ordering.values import ReceivedUnits, ReturnedUnits, ReturnStatus
from domain.shared.events import DomainEvent
from domain.shared.money import Money

R = ReturnStatus


@dataclass(frozen=True, kw_only=True)
class ReturnState:
    """One return of some units of one order."""

    id: UUID
    order_id: UUID
    customer_id: UUID
    status: ReturnStatus
    lines: tuple[ReturnedUnits, ...]
    requested_at: datetime
    updated_at: datetime
    version: int = 1
    received: tuple[ReceivedUnits, ...] = ()
    refund: Money | None = None  # what goes back to the payment, computed at receipt
    refund_reference: str | None = None
    refuse_reason: str | None = None

    @classmethod
    def requested(cls, event: ev.ReturnRequested) -> "ReturnState":
        return cls(
            id=event.return_id,
            order_id=event.order_id,
            customer_id=event.customer_id,
            status=R.REQUESTED,
            lines=event.lines,
            requested_at=event.occurred_at,
            updated_at=event.occurred_at,
        )

    def evolve(self, event: DomainEvent) -> "ReturnState":
        state = replace(self, updated_at=event.occurred_at, version=self.version + 1)
        match event:
            case ev.ReturnApproved():
                return replace(state, status=R.APPROVED)
            case ev.ReturnRefused(reason=reason):
                return replace(state, status=R.REFUSED, refuse_reason=reason)
            case ev.ReturnReceived(units=units, refund=refund):
                return replace(state, status=R.RECEIVED, received=units, refund=refund)
            case ev.ReturnRefunded(refund_reference=reference):
                return replace(state, status=R.REFUNDED, refund_reference=reference)
        return state

    @property
    def asked(self) -> Mapping[str, int]:
        """Units asked back, by SKU."""
        return _by_sku((line.sku, line.quantity) for line in self.lines)

    @property
    def came_back(self) -> Mapping[str, int]:
        """Units received, by SKU."""
        return _by_sku((unit.sku, unit.quantity) for unit in self.received)

    @property
    def claims_units(self) -> bool:
        """Whether the units it asks for count against what may still be returned."""
        return self.status is not R.REFUSED


def next_return_state(state: ReturnState | None, event: DomainEvent) -> ReturnState:
    """The state after one more event; before the first (ReturnRequested) there is none."""
    if state is None:
        assert isinstance(event, ev.ReturnRequested), "a return's stream starts with its request"
        return ReturnState.requested(event)
    return state.evolve(event)


def _by_sku(units: Iterable[tuple[str, int]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for sku, quantity in units:
        totals[sku] = totals.get(sku, 0) + quantity
    return totals
