"""Ordering's events in the event log (and so on the Kafka topic `agora.ordering.events`)."""

from domain.ordering import events
from infrastructure.eventlog.registry import EventRegistry

CONTEXT = "ordering"
ORDER_STREAM = "order"

ORDER_EVENTS: tuple[type[events.OrderEvent], ...] = (
    events.OrderPlaced,
    events.OrderStockReserved,
    events.OrderStockRejected,
    events.PaymentAuthorized,
    events.PaymentDeclined,
    events.PaymentFailed,
    events.OrderPaid,
    events.OrderShipped,
    events.OrderDelivered,
    events.OrderCancelled,
    events.RefundIssued,
)


def register_ordering_events(registry: EventRegistry) -> None:
    for cls in ORDER_EVENTS:
        registry.register(cls, context=CONTEXT)
