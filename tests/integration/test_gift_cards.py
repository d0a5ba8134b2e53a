"""Gift cards on real PostgreSQL: the balance never goes below zero however many orders spend a
card at once, every movement is in the ledger and sums to the balance, an order's debit and
its credit back each happen once, and ordering's adapter reads in one statement."""

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from uuid import UUID

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.contexts import gift_cards
from agora.contexts.gift_cards import GiftCardsForOrdering
from application.gift_cards.commands import (
    AdjustGiftCard,
    CreditBackOrder,
    DisableGiftCard,
    IssueGiftCard,
)
from application.gift_cards.deps import GiftCardsDeps
from application.gift_cards.views import IssuedGiftCard
from application.ordering.ports import GiftCardBalanceTooLow, GiftCardNotUsable
from application.shared.bus import CommandBus
from domain.gift_cards.values import GiftCardCode
from domain.ordering.pricing.breakdown import GiftCardCharge
from domain.shared.money import Money
from infrastructure.db.engine import build_engine
from infrastructure.db.statements import counting_statements
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.tables import event_log
from infrastructure.gift_cards.subscribers import OrderGiftCardSettler
from infrastructure.gift_cards.tables import gift_card_movements
from infrastructure.gift_cards.tables import gift_cards as cards_table
from infrastructure.gift_cards.unit_of_work import SqlGiftCardsUnitOfWork
from tests.support.eventlog import REGISTRY
from tests.support.fakes.shared import FixedClock

STAFF = uuid.uuid4()
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def bus(engine: AsyncEngine) -> CommandBus:
    bus = CommandBus()
    deps = GiftCardsDeps(uow=partial(SqlGiftCardsUnitOfWork, engine, REGISTRY), clock=FixedClock())
    gift_cards.register(bus, deps)
    return bus


async def issued(bus: CommandBus, amount: str = "50.00", currency: str = "EUR") -> IssuedGiftCard:
    return await bus.handle(IssueGiftCard(amount=amount, currency=currency, actor_id=STAFF))


def charge(card: IssuedGiftCard, amount: str) -> GiftCardCharge:
    return GiftCardCharge(
        gift_card_id=card.gift_card.id,
        last_four=card.gift_card.last_four,
        amount=Money.of(amount, card.gift_card.balance.currency),
    )


async def debit(engine: AsyncEngine, charges: Sequence[GiftCardCharge], order_id: UUID) -> None:
    """One checkout's transaction: the debits commit with it, or roll back with it."""
    async with engine.begin() as conn:
        await GiftCardsForOrdering(conn).debit(charges, order_id=order_id, now=NOW)


async def balance_and_ledger(engine: AsyncEngine, card_id: UUID) -> tuple[Decimal, Decimal]:
    m = gift_card_movements.c
    async with engine.connect() as conn:
        stored = await conn.scalar(select(cards_table.c.balance).where(cards_table.c.id == card_id))
        summed = await conn.scalar(select(func.sum(m.amount)).where(m.gift_card_id == card_id))
    assert stored is not None
    assert summed is not None
    return stored, summed


async def test_twenty_concurrent_orders_spend_a_card_of_fifty_exactly_five_times(
    database_url: str, engine: AsyncEngine, bus: CommandBus
) -> None:
    card = await issued(bus, "50.00")
    wide = build_engine(database_url, pool_size=20)
    everyone_in = asyncio.Barrier(20)

    async def check_out(order_id: UUID) -> None:
        async with wide.begin() as conn:
            await conn.execute(text("SELECT 1"))  # its own connection, its transaction open
            await everyone_in.wait()  # all twenty debit at once
            await GiftCardsForOrdering(conn).debit(
                [charge(card, "10.00")], order_id=order_id, now=NOW
            )

    try:
        results = await asyncio.gather(
            *(check_out(uuid.uuid4()) for _ in range(20)), return_exceptions=True
        )
    finally:
        await wide.dispose()

    succeeded = [r for r in results if r is None]
    refused = [r for r in results if isinstance(r, GiftCardBalanceTooLow)]
    assert (len(succeeded), len(refused)) == (5, 15), results
    assert await balance_and_ledger(engine, card.gift_card.id) == (Decimal(0), Decimal(0))
    m = gift_card_movements.c
    async with engine.connect() as conn:
        debits = await conn.scalar(
            select(func.count()).where(m.gift_card_id == card.gift_card.id, m.kind == "debit")
        )
    assert debits == 5


async def test_the_database_refuses_a_negative_balance_whatever_the_statement(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    card = await issued(bus, "5.00")
    with pytest.raises(IntegrityError, match="ck_gift_cards_balance_not_negative"):
        async with engine.begin() as conn:
            await conn.execute(
                update(cards_table)
                .where(cards_table.c.id == card.gift_card.id)
                .values(balance=cards_table.c.balance - 6)
            )


async def test_the_ledger_is_append_only(engine: AsyncEngine, bus: CommandBus) -> None:
    card = await issued(bus, "5.00")
    for statement in (
        "UPDATE gift_card_movements SET amount = 99",
        "DELETE FROM gift_card_movements",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(
                    text(f"{statement} WHERE gift_card_id = :id"), {"id": card.gift_card.id}
                )
    assert await balance_and_ledger(engine, card.gift_card.id) == (Decimal(5), Decimal(5))


async def test_a_debit_is_taken_once_per_card_and_order(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    card = await issued(bus, "50.00")
    order = uuid.uuid4()
    await debit(engine, [charge(card, "20.00")], order)
    await debit(engine, [charge(card, "20.00")], order)  # a replayed checkout step

    assert await balance_and_ledger(engine, card.gift_card.id) == (Decimal(30), Decimal(30))


async def test_a_charge_of_nothing_takes_nothing(engine: AsyncEngine, bus: CommandBus) -> None:
    card = await issued(bus, "50.00")
    await debit(engine, [charge(card, "0.00")], uuid.uuid4())
    assert await balance_and_ledger(engine, card.gift_card.id) == (Decimal(50), Decimal(50))


async def test_a_refused_debit_leaves_nothing_when_the_caller_rolls_back(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    rich, poor = await issued(bus, "50.00"), await issued(bus, "5.00")
    with pytest.raises(GiftCardBalanceTooLow, match=poor.gift_card.last_four):
        await debit(engine, [charge(rich, "10.00"), charge(poor, "6.00")], uuid.uuid4())

    assert await balance_and_ledger(engine, rich.gift_card.id) == (Decimal(50), Decimal(50))
    assert await balance_and_ledger(engine, poor.gift_card.id) == (Decimal(5), Decimal(5))


async def test_a_card_disabled_after_pricing_cannot_be_debited(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    card = await issued(bus, "50.00")
    await bus.handle(
        DisableGiftCard(gift_card_id=card.gift_card.id, expected_version=0, actor_id=STAFF)
    )
    with pytest.raises(GiftCardNotUsable):
        await debit(engine, [charge(card, "10.00")], uuid.uuid4())


async def test_balances_are_read_in_one_statement_in_the_order_given(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    first, second = await issued(bus, "50.00"), await issued(bus, "7.50")
    async with engine.connect() as conn:
        with counting_statements() as counted:
            found = await GiftCardsForOrdering(conn).balances(
                # as a customer types them: lower case, spaces, and one given twice
                [second.code.lower(), first.code.replace("-", " "), second.code],
                currency="EUR",
                now=NOW,
            )
    assert counted.statements == 1
    assert [(b.gift_card_id, b.last_four, b.balance) for b in found] == [
        (second.gift_card.id, second.gift_card.last_four, Money.of("7.50", "EUR")),
        (first.gift_card.id, first.gift_card.last_four, Money.of("50.00", "EUR")),
    ]


async def test_a_debit_that_succeeds_is_one_statement(engine: AsyncEngine, bus: CommandBus) -> None:
    card = await issued(bus, "50.00")
    async with engine.begin() as conn:
        with counting_statements() as counted:
            await GiftCardsForOrdering(conn).debit(
                [charge(card, "10.00")], order_id=uuid.uuid4(), now=NOW
            )
    assert counted.statements == 1


@pytest.mark.parametrize("case", ["unknown", "malformed", "disabled", "expired", "currency"])
async def test_a_card_that_cannot_pay_is_not_usable(
    engine: AsyncEngine, bus: CommandBus, case: str
) -> None:
    card = await issued(bus, "50.00")
    code, currency, now = card.code, "EUR", NOW
    if case == "unknown":
        code = GiftCardCode.new().display
    elif case == "malformed":
        code = "not-a-code"
    elif case == "disabled":
        await bus.handle(
            DisableGiftCard(gift_card_id=card.gift_card.id, expected_version=0, actor_id=STAFF)
        )
    elif case == "expired":
        expiring = await bus.handle(
            IssueGiftCard(
                amount="5.00",
                currency="EUR",
                expires_at=NOW + timedelta(days=1),
                actor_id=STAFF,
            )
        )
        code, now = expiring.code, NOW + timedelta(days=2)
    else:
        currency = "GBP"
    async with engine.connect() as conn:
        with pytest.raises(GiftCardNotUsable):
            await GiftCardsForOrdering(conn).balances([code], currency=currency, now=now)


def order_event(event_type: str, order_id: UUID, **payload: object) -> StoredEvent:
    """One of ordering's events as the log hands it to a subscriber."""
    return StoredEvent(
        position=0,
        transaction_id=0,
        stream_type="order",
        stream_id=f"order-{order_id}",
        stream_version=1,
        event_id=uuid.uuid4(),
        event_type=event_type,
        schema_version=1,
        payload={"order_id": str(order_id), **payload},
        metadata={},
        recorded_at=datetime.now(UTC),
    )


async def test_a_partial_refund_leaves_the_gift_cards_until_the_last_one(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    card = await issued(bus, "50.00")
    order = uuid.uuid4()
    await debit(engine, [charge(card, "30.00")], order)
    settler = OrderGiftCardSettler(bus)
    await settler.react(order_event("RefundIssued", order, refunded_in_full=False))
    assert (await balance_and_ledger(engine, card.gift_card.id))[0] == Decimal(20)
    await settler.react(order_event("RefundIssued", order, refunded_in_full=True))
    assert (await balance_and_ledger(engine, card.gift_card.id))[0] == Decimal(50)


async def test_an_order_that_did_not_go_through_is_credited_back_once(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    first, second = await issued(bus, "50.00"), await issued(bus, "20.00")
    order, other = uuid.uuid4(), uuid.uuid4()
    await debit(engine, [charge(first, "30.00"), charge(second, "20.00")], order)
    await debit(engine, [charge(first, "5.00")], other)
    settler = OrderGiftCardSettler(bus)

    for _ in range(2):  # the log may deliver twice: the second time changes nothing
        await settler.react(order_event("OrderPlaced", order))  # not its concern
        await settler.react(order_event("OrderCancelled", order))
        await settler.react(order_event("RefundIssued", order))  # cancelled, then refunded

    assert await balance_and_ledger(engine, first.gift_card.id) == (Decimal(45), Decimal(45))
    assert await balance_and_ledger(engine, second.gift_card.id) == (Decimal(20), Decimal(20))
    assert await bus.handle(CreditBackOrder(order_id=order)) == 0


async def test_concurrent_credit_backs_of_one_order_credit_it_once(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    card = await issued(bus, "50.00")
    order = uuid.uuid4()
    await debit(engine, [charge(card, "40.00")], order)

    credited = await asyncio.gather(
        *(bus.handle(CreditBackOrder(order_id=order)) for _ in range(5))
    )

    assert sorted(credited) == [0, 0, 0, 0, 1]
    assert await balance_and_ledger(engine, card.gift_card.id) == (Decimal(50), Decimal(50))


async def test_staff_changes_are_events_on_the_log_without_the_code(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    card = await issued(bus, "50.00")
    plain = GiftCardCode.parse(card.code)
    assert plain is not None
    adjusted = await bus.handle(
        AdjustGiftCard(
            gift_card_id=card.gift_card.id,
            amount="-12.50",
            reason="partly refunded by hand",
            expected_version=0,
            actor_id=STAFF,
        )
    )
    assert (adjusted.balance, adjusted.version) == (Money.of("37.50", "EUR"), 1)
    assert await balance_and_ledger(engine, card.gift_card.id) == (
        Decimal("37.5"),
        Decimal("37.5"),
    )
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(event_log.c.event_type, text("payload::text"))
                .where(event_log.c.stream_id == f"gift-card-{card.gift_card.id}")
                .order_by(event_log.c.stream_version)
            )
        ).all()
        stored_code = await conn.scalar(
            select(func.count()).where(cards_table.c.code_digest == plain.digest)
        )
    assert [r[0] for r in rows] == ["GiftCardIssued", "GiftCardAdjusted"]
    assert all(plain.value not in r[1] for r in rows)
    assert stored_code == 1
