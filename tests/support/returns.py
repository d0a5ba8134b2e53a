"""Returns for tests: a shipped order, and returns of it requested, approved, received."""

import uuid
from datetime import timedelta

from domain.ordering.order import Order
from domain.ordering.returns import Return
from domain.ordering.values import Disposition, ReceivedUnits, ReturnedUnits
from tests.support.orders import NOW, line, placed

WINDOW = timedelta(days=30)
STAFF = uuid.uuid4()


def shipped(*quantities: int) -> Order:
    """A paid order of one line per quantity (10.00 EUR a unit), shipped at NOW."""
    order = placed(*(line("10.00", quantity) for quantity in quantities or (3,)))
    order.confirm_stock(now=NOW)
    order.record_payment("pay_1", order.state.amount_due, now=NOW)
    order.ship("T-1", carrier="DHL", actor_id=STAFF, now=NOW)
    return order


def asked(sku: str, quantity: int, reason: str = "too small") -> ReturnedUnits:
    return ReturnedUnits(sku=sku, quantity=quantity, reason=reason)


def restocked(sku: str, quantity: int, location: str = "main") -> ReceivedUnits:
    return ReceivedUnits(
        sku=sku, quantity=quantity, disposition=Disposition.RESTOCK, location=location
    )


def requested(order: Order, *lines: ReturnedUnits, others: tuple[Return, ...] = ()) -> Return:
    return Return.request(
        return_id=uuid.uuid4(),
        order=order.state,
        lines=lines,
        others=[other.state for other in others],
        actor_id=order.state.customer_id,
        window=WINDOW,
        now=NOW + timedelta(days=1),
    )
