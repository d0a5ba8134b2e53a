"""Gift cards' unit of work and repository: the in-memory fake and the PostgreSQL adapter keep
the same promises (a card round trips, nothing is stored uncommitted, a stale save is a
conflict, an adjustment moves the balance and bumps the version)."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from application.gift_cards.ports import GiftCardsUnitOfWorkFactory
from application.shared.errors import ConcurrencyConflict
from domain.gift_cards.gift_card import GiftCard
from domain.gift_cards.values import GiftCardCode
from domain.shared.money import Money
from infrastructure.gift_cards.unit_of_work import SqlGiftCardsUnitOfWork
from tests.support.eventlog import REGISTRY
from tests.support.fakes.gift_cards import FakeGiftCardsUnitOfWork, Store

NOW = datetime(2026, 1, 1, tzinfo=UTC)
STAFF = uuid.uuid4()


@pytest.fixture(params=["memory", "postgres"])
def new_uow(request: pytest.FixtureRequest) -> GiftCardsUnitOfWorkFactory:
    if request.param == "memory":
        store = Store()
        return lambda: FakeGiftCardsUnitOfWork(store)
    engine: AsyncEngine = request.getfixturevalue("engine")
    return lambda: SqlGiftCardsUnitOfWork(engine, REGISTRY)


def a_card() -> GiftCard:
    return GiftCard.issue(
        id=uuid.uuid4(),
        code=GiftCardCode.new(),
        value=Money.of("40.00", "EUR"),
        expires_at=None,
        note="a note",
        recipient_email="ada@example.com",
        by=STAFF,
        now=NOW,
    )


async def test_a_card_round_trips_and_only_when_committed(
    new_uow: GiftCardsUnitOfWorkFactory,
) -> None:
    card, uncommitted = a_card(), a_card()
    async with new_uow() as uow:
        await uow.cards.add(card)
        await uow.commit()
    async with new_uow() as uow:
        await uow.cards.add(uncommitted)
    async with new_uow() as uow:
        loaded = await uow.cards.get(card.id)
        assert await uow.cards.get(uncommitted.id) is None
    assert loaded is not None
    assert vars(loaded) | {"_pending_events": []} == vars(card) | {"_pending_events": []}


async def test_a_stale_save_is_a_conflict_and_an_adjustment_bumps_the_version(
    new_uow: GiftCardsUnitOfWorkFactory,
) -> None:
    card = a_card()
    async with new_uow() as uow:
        await uow.cards.add(card)
        await uow.commit()
    async with new_uow() as uow:
        theirs = await uow.cards.get(card.id)  # read, then left open on someone's screen
    async with new_uow() as uow:
        mine = await uow.cards.get(card.id)
        assert mine is not None
        mine.adjust(Decimal("-10"), reason="spent by hand", by=STAFF, now=NOW)
        await uow.cards.save(mine)
        await uow.commit()
    assert theirs is not None
    theirs.disable(by=STAFF, now=NOW)
    async with new_uow() as uow:
        with pytest.raises(ConcurrencyConflict):
            await uow.cards.save(theirs)
    async with new_uow() as uow:
        loaded = await uow.cards.get(card.id)
    assert loaded is not None
    assert (loaded.balance, loaded.version) == (Money.of("30.00", "EUR"), 1)
