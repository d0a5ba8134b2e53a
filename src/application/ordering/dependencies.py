"""What ordering handlers are given by the composition root."""

from dataclasses import dataclass
from datetime import timedelta

from application.ordering.ports import OrderingUnitOfWorkFactory, PaymentGateway, Stock
from application.shared.clock import Clock


@dataclass(frozen=True, kw_only=True)
class OrderingDeps:
    """Ports, clock, payment webhook checks and timings the ordering handlers share."""

    uow: OrderingUnitOfWorkFactory
    clock: Clock
    payments: PaymentGateway
    stock: Stock
    webhook_secret: str
    webhook_tolerance: timedelta
    idempotency_ttl: timedelta
    payment_timeout: timedelta
    # Longer than the payment timeout, so that the unpaid-order sweep, not the stock sweep,
    # is what ends an order that is never paid.
    reservation_hold: timedelta
