"""What one checkout costs in SQL statements, counted, so that a re-read, a lock or a per-row
statement that comes back fails here (ADR 0023). Counted: every statement the app sends
(SAVEPOINT and RELEASE included); not counted: BEGIN, COMMIT and the pool's pre-ping, which
the driver sends without a statement of SQLAlchemy's."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from agora.settings import Settings
from domain.identity.values import Role
from infrastructure.payments.simulated import SimulatedProvider
from tests.support.shop import OrderingShop, ordering_settings, running_app

# The request's statements, in order, as they stand:
CHECKOUT = [
    "the caller's roles and live session (authentication)",
    "the Idempotency-Key's lock and stored answer, one statement",
    "SAVEPOINT: the handler's unit of work joins the claim's",
    "the cart row's lock (the row exists: the cart has lines)",
    "the cart's lines",
    "the catalog's prices",
    "the promotions that apply (automatic ones; none of the codes: none given)",
    "the tax rates at the destination (taxes' adapter)",
    "the shipping methods offered there (shipping's adapter)",
    "whether the shop ships with any method (none offered here: a shop without methods)",
    "the payment token",
    "the payment deadline",
    "the cart emptied and touched, one statement",
    "the append: checks and the OrderPlaced INSERT, one statement (no lock: a new stream)",
    "RELEASE SAVEPOINT",
    "the answer stored under the key",
]
BACKLOG_MEASURE = 1  # the fulfilment backlog, counted once per interval per process


@contextmanager
def statements() -> Iterator[list[str]]:
    """The statements sent while the block runs."""
    sent: list[str] = []

    def note(*args: Any) -> None:
        sent.append(" ".join(str(args[2]).split()))

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(Engine, "before_cursor_execute", note)


async def test_a_checkout_sends_only_the_statements_it_needs(settings: Settings) -> None:
    tuned = ordering_settings(settings, ordering={"backlog_check_seconds": 60})
    provider = SimulatedProvider()
    async with running_app(tuned, payments=provider) as (app, client):
        shop = OrderingShop(app=app, client=client, settings=tuned, provider=provider)
        shop.staff = await shop.account("staff@example.com", Role.STAFF)
        mug = await shop.stocked_product(10)
        sent = []
        for _ in range(2):
            customer = await shop.customer()
            await shop.fill_cart(customer, mug["sku"], 2)
            with statements() as during:
                placed = await shop.check_out(customer)
            assert placed.status_code == 201, placed.text
            sent.append(during)
    first, second = sent
    assert len(first) == len(CHECKOUT) + BACKLOG_MEASURE, "\n".join(first)
    assert len(second) == len(CHECKOUT), "\n".join(second)  # the backlog count was reused
