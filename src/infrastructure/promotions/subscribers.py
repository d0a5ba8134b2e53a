"""Promotions' subscriber of the event log: the coupon uses of an order that did not go through
are given back. Stock rejected, or cancelled before payment (a declined, failed or expired
payment cancels the order, so those arrive as `OrderCancelled` too). An order cancelled after
payment keeps its uses (ADR 0033).

Like inventory's settler, it reads ordering's events by their published names and the order id
in their payload, importing nothing of ordering; its command is idempotent per order, so it
runs as a stream reactor."""

from uuid import UUID

from application.promotions.commands import ReleaseCouponUses
from application.shared.bus import CommandBus
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.subscribers import FailurePolicy, Interest, acting_on

RELEASED_BY = ("OrderStockRejected", "OrderCancelled")


class CouponUseReleaser:
    """Gives back an order's coupon uses once it will not go through, in a command of its own;
    one that keeps failing is parked for an operator."""

    name = "coupon-uses"
    on_failure = FailurePolicy.PARK
    interest = Interest.of(stream_types=["order"], event_types=RELEASED_BY)

    def __init__(self, bus: CommandBus) -> None:
        self._bus = bus

    async def react(self, event: StoredEvent) -> None:
        if event.event_type not in RELEASED_BY:
            return  # its interest keeps the runner from handing it such events
        if event.event_type == "OrderCancelled" and event.payload.get("after_payment"):
            return  # paid, then cancelled (and refunded): the use stays taken
        with acting_on(event):
            await self._bus.handle(ReleaseCouponUses(order_id=UUID(str(event.payload["order_id"]))))
