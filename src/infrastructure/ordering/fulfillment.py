"""The fulfilment process as a subscriber of the event log: it reads order events in order and
hands each to the process manager. Its effects are commands with their own transactions, so
the checkpoint marks progress rather than making them atomic; every reaction is idempotent,
and a batch that fails part way is simply handled again."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from application.ordering.process import FulfillmentProcess
from application.shared.context import CallContext, current_call
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.subscriptions import FailurePolicy
from infrastructure.ordering.event_types import ORDER_STREAM


class FulfillmentSubscriber:
    """Hands order events to the fulfilment process; a step that keeps failing is parked."""

    name = "fulfillment"
    # A step that keeps failing (a bug, an impossible order) is parked for an operator;
    # the unpaid-order sweep still ends the order, so no order waits forever.
    on_failure = FailurePolicy.PARK

    def __init__(self, process: FulfillmentProcess, registry: EventRegistry) -> None:
        self._process = process
        self._registry = registry

    async def handle(self, events: Sequence[StoredEvent], conn: AsyncConnection) -> None:
        for stored in events:
            if stored.stream_type != ORDER_STREAM:
                continue
            event = self._registry.deserialize(
                stored.event_type, stored.schema_version, dict(stored.payload)
            )
            # The commands this event causes carry its correlation id and name it as cause.
            token = current_call.set(
                CallContext(
                    correlation_id=str(stored.metadata.get("correlation_id") or stored.event_id),
                    causation_id=str(stored.event_id),
                    traceparent=stored.metadata.get("traceparent"),
                )
            )
            try:
                await self._process.react(event)
            finally:
                current_call.reset(token)
