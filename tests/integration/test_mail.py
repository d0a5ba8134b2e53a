"""Order mail end to end below the HTTP layer: the log's order mailer (real PostgreSQL) turns
events into one mail each, and the sender hands them to a real SMTP server (aiosmtpd) that the
test reads; an outage is waited out with backoff, and nothing is sent twice."""

import uuid
from collections.abc import Iterator
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from agora.bootstrap import build_registry
from application.notifications.commands import SendDueMail
from application.notifications.deps import MailDeps
from application.notifications.handlers.mail import send_due_mail
from domain.notifications.values import RetryPolicy
from domain.ordering import events as ev
from domain.ordering.values import LineUnits, OrderLine
from domain.shared.events import DomainEvent
from domain.shared.money import Money
from infrastructure.eventlog.store import StoredEvent
from infrastructure.mail.templates import JinjaMailRenderer
from infrastructure.mail.transports import SmtpMailTransport
from infrastructure.notifications.subscribers import OrderMailer
from infrastructure.notifications.tables import outgoing_mail
from infrastructure.notifications.unit_of_work import SqlNotificationsUnitOfWork
from tests.support.fakes.shared import FixedClock
from tests.support.mail import Inbox, bodies, smtp_server
from tests.support.orders import NOW, placed

REGISTRY = build_registry()
GUEST = "ada@example.com"


class NoAccounts:
    """An AccountEmails that knows nobody: every order here gives its email at checkout."""

    def __init__(self, conn: AsyncConnection) -> None:
        pass

    async def email_of(self, customer_id: uuid.UUID) -> str | None:
        return None


MAILER = OrderMailer(REGISTRY, accounts=NoAccounts, domain="shop.test")


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def deps(engine: AsyncEngine, inbox: Inbox, clock: FixedClock) -> MailDeps:
    return MailDeps(
        uow=partial(SqlNotificationsUnitOfWork, engine, REGISTRY),
        renderer=JinjaMailRenderer(),
        transport=SmtpMailTransport(inbox.url, sender="Shop <shop@shop.test>", timeout_seconds=2),
        clock=clock,
        retry=RetryPolicy(max_attempts=5, backoff_seconds=60),
        lease=timedelta(seconds=30),
    )


def stored(*events: DomainEvent, start: int = 1) -> list[StoredEvent]:
    """The events as the log hands them to subscribers."""
    rows = []
    for offset, event in enumerate(events):
        kind, payload = REGISTRY.serialize(event)
        rows.append(
            StoredEvent(
                position=start + offset,
                transaction_id=1,
                stream_type="order",
                stream_id=f"order-{getattr(event, 'order_id')}",  # noqa: B009
                stream_version=start + offset,
                event_id=uuid.uuid4(),
                event_type=kind.name,
                schema_version=kind.version,
                payload=payload,
                metadata={},
                recorded_at=NOW,
            )
        )
    return rows


async def handled(engine: AsyncEngine, events: list[StoredEvent]) -> None:
    async with engine.begin() as conn:
        await MAILER.handle(events, conn)


def a_guest_order(name: str = "Mug") -> ev.OrderPlaced:
    line = OrderLine(
        product_id=uuid.uuid4(),
        sku="MUG-1",
        name=name,
        unit_price=Money.of("12.50", "EUR"),
        quantity=2,
    )
    [event] = [e for e in placed(line, guest=True).collect_events()]
    assert isinstance(event, ev.OrderPlaced)
    return event


async def test_each_event_is_mailed_once_even_when_the_subscriber_sees_it_twice(
    engine: AsyncEngine, inbox: Inbox, deps: MailDeps
) -> None:
    order = a_guest_order()
    paid = ev.OrderPaid(occurred_at=NOW, order_id=order.order_id, payment_reference="pay_1")
    events = stored(order, paid)
    await handled(engine, events)
    await handled(engine, events)  # a replay: the checkpoint moved back, or a retried batch
    assert await send_due_mail(SendDueMail(), deps) == 2
    assert await send_due_mail(SendDueMail(), deps) == 0
    [receipt, confirmed] = sorted(inbox.messages, key=lambda m: str(m["Subject"]))
    assert str(confirmed["Subject"]).startswith("Your order")
    assert str(receipt["Subject"]).startswith("Payment received")
    assert {m["To"] for m in inbox.messages} == {GUEST}
    text, html = bodies(confirmed)
    assert "2 x Mug (MUG-1): 25.00 EUR" in text
    assert "Total: 25.00 EUR" in text
    assert "75001 Paris" in text
    assert "25.00 EUR" in html
    assert "<table>" in html
    async with engine.connect() as conn:
        rows = (await conn.execute(select(outgoing_mail))).all()
    assert {(r.status, r.attempts) for r in rows} == {("delivered", 1)}
    assert all(r.delivered_at is not None and r.response_status == 250 for r in rows)
    assert {r.message_id for r in rows} == {str(m["Message-ID"]) for m in inbox.messages}


async def test_with_the_server_down_the_mail_waits_and_is_sent_once_it_is_back(
    engine: AsyncEngine, inbox: Inbox, deps: MailDeps, clock: FixedClock
) -> None:
    inbox.stop()
    await handled(engine, stored(a_guest_order()))
    assert await send_due_mail(SendDueMail(), deps) == 1
    assert await send_due_mail(SendDueMail(), deps) == 0  # backing off: not due yet
    async with engine.connect() as conn:
        [row] = (await conn.execute(select(outgoing_mail))).all()
    assert (row.status, row.attempts, row.delivered_at) == ("pending", 1, None)
    assert row.last_error
    assert row.next_attempt_at > NOW

    inbox.start()
    clock.advance(timedelta(minutes=2))
    assert await send_due_mail(SendDueMail(), deps) == 1
    [mail] = await inbox.wait_for(1)
    assert mail["To"] == GUEST
    async with engine.connect() as conn:
        [row] = (await conn.execute(select(outgoing_mail))).all()
    assert (row.status, row.attempts, row.last_error) == ("delivered", 2, None)
    assert await send_due_mail(SendDueMail(), deps) == 0


async def test_what_customers_wrote_is_escaped_in_html_and_plain_in_text(
    engine: AsyncEngine, inbox: Inbox, deps: MailDeps
) -> None:
    await handled(engine, stored(a_guest_order(name='<script>alert("x")</script> & Co')))
    await send_due_mail(SendDueMail(), deps)
    [mail] = await inbox.wait_for(1)
    text, html = bodies(mail)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
    assert '<script>alert("x")</script> & Co' in text


async def test_a_parcel_is_mailed_once_and_the_order_s_shipment_only_without_parcels(
    engine: AsyncEngine, inbox: Inbox, deps: MailDeps
) -> None:
    split, whole = a_guest_order(), a_guest_order()
    parcel = ev.ShipmentDispatched(
        occurred_at=NOW,
        order_id=split.order_id,
        shipment_id=uuid.uuid4(),
        lines=(LineUnits(sku="MUG-1", quantity=2),),
        tracking_number="TRACK-PARCEL",
        carrier="DHL",
        location="main",
        actor_id=None,
    )

    def shipped(order: ev.OrderPlaced, tracking: str) -> ev.OrderShipped:
        return ev.OrderShipped(
            occurred_at=NOW,
            order_id=order.order_id,
            tracking_number=tracking,
            carrier="UPS",
            actor_id=None,
        )

    refund = ev.RefundIssued(
        occurred_at=NOW,
        order_id=whole.order_id,
        amount=Money.of("5.00", "EUR"),
        refund_reference="re_1",
        reason="damaged",
        actor_id=None,
    )
    approved = ev.ReturnApproved(
        occurred_at=NOW, return_id=uuid.uuid4(), order_id=whole.order_id, actor_id=None
    )
    await handled(engine, stored(split, whole))
    await handled(
        engine,
        stored(
            parcel,
            shipped(split, "TRACK-PARCEL"),
            shipped(whole, "TRACK-WHOLE"),
            refund,
            approved,
            start=3,
        ),
    )
    await send_due_mail(SendDueMail(), deps)
    subjects = sorted(str(m["Subject"]) for m in inbox.messages)
    assert len(subjects) == 6, subjects  # two confirmations, one parcel, one order, refund, return
    texts = [bodies(m)[0] for m in inbox.messages]
    assert sum("TRACK-PARCEL" in t for t in texts) == 1
    assert sum("TRACK-WHOLE" in t for t in texts) == 1
    assert any("2 x MUG-1" in t for t in texts)
    assert any("refunded 5.00 EUR" in t for t in texts)
    assert any(s.startswith("Your return") for s in subjects)
