"""Gift cards' subscriber of the event log: an order that does not go through, or is refunded,
gets back what it took from gift cards, once.

It reads ordering's events by their published names and the order id in their payload
(`docs/contracts/agora.ordering.events.schema.json`), as an outside consumer would: it imports
nothing of ordering. A declined, failed or expired payment is always followed by
`OrderCancelled` in the same append, so the cancellation covers them; a cancelled order that
was paid is refunded later, and that credit back finds nothing left to do. Each reaction is
`CreditBackOrder`, idempotent per order (the ledger holds one credit back per card and order),
so it runs as a stream reactor: many orders at once, each in order. A partial refund (ADR 0037)
goes to the card only: the cards are credited back by the refund that gives the last of the
captured money back (`refunded_in_full`; a v1 refund always did)."""

from uuid import UUID

from application.gift_cards.commands import CreditBackOrder
from application.shared.bus import CommandBus
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.subscribers import FailurePolicy, Interest, acting_on

# The order ended without the sale (rejected for stock, cancelled however), or its money went
# back (a refund).
CREDIT_BACK_ON = frozenset({"OrderStockRejected", "OrderCancelled", "RefundIssued"})


class OrderGiftCardSettler:
    """Credits gift cards back as their orders end without a sale, by a command in its own
    transaction; one that keeps failing is parked for an operator."""

    name = "order-gift-cards"
    on_failure = FailurePolicy.PARK
    interest = Interest.of(stream_types=["order"], event_types=CREDIT_BACK_ON)

    def __init__(self, bus: CommandBus) -> None:
        self._bus = bus

    async def react(self, event: StoredEvent) -> None:
        if event.event_type not in CREDIT_BACK_ON:
            return  # its interest keeps the runner from handing it such events
        if event.event_type == "RefundIssued" and not event.payload.get("refunded_in_full", True):
            return  # a part of the card's money went back; the cards wait for the last part
        with acting_on(event):
            await self._bus.handle(CreditBackOrder(order_id=UUID(str(event.payload["order_id"]))))
