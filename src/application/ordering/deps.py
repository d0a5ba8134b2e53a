"""What the ordering handlers are given by the composition root."""

from dataclasses import dataclass
from datetime import timedelta

from application.ordering import ports
from application.shared.bus import CommandBus
from application.shared.clock import Clock
from domain.ordering.pricing.refunds import ShippingRefund


@dataclass(frozen=True, kw_only=True)
class OrderingDeps:
    """Ports, the bus (the process, callbacks and sweeps send the order's named steps through
    it), the clock, and the timings the ordering handlers share."""

    uow: ports.OrderingUnitOfWorkFactory
    bus: CommandBus
    clock: Clock
    stock: ports.Stock
    payments: ports.PaymentGateway
    callbacks: ports.PaymentCallbacks
    idempotency_ttl: timedelta
    payment_timeout: timedelta
    # Longer than the payment timeout, so that the unpaid-order sweep, not the stock sweep,
    # is what ends an order that is never paid.
    reservation_hold: timedelta
    # Checkout is refused while this many orders wait for fulfilment; 0: never.
    max_fulfilment_backlog: int
    default_currency: str = "EUR"  # a new cart's currency
    # Capture right after the authorisation instead of when the first parcel leaves (ADR 0037).
    capture_immediately: bool = False
    # How long the provider honours an authorisation: an order paid longer ago and not
    # captured is cancelled (and its authorisation voided) by the worker's sweep.
    authorisation_valid_for: timedelta = timedelta(days=7)
    returns_window: timedelta = timedelta(days=30)  # from delivery (or shipment)
    refund_shipping: ShippingRefund = ShippingRefund.LAST_UNITS
