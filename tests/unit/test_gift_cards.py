"""Gift cards in memory: codes are random, typable and kept only as a digest; a card is issued
with value, adjusted never below zero, disabled and enabled with events; the handlers ask for
the card's current version and credit an order back once."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from agora.contexts import gift_cards
from application.gift_cards import commands as c
from application.gift_cards.deps import GiftCardsDeps
from application.shared.bus import CommandBus
from application.shared.errors import PreconditionFailed, PreconditionRequired
from domain.gift_cards import events as ev
from domain.gift_cards.errors import AdjustmentBelowZero, GiftCardNotFound, InvalidGiftCard
from domain.gift_cards.gift_card import GiftCard
from domain.gift_cards.values import ALPHABET, CODE_LENGTH, GiftCardCode, GiftCardStatus
from domain.shared.money import InvalidMoney, Money
from tests.support.fakes.gift_cards import FakeGiftCardsUnitOfWork, Movement, Store
from tests.support.fakes.shared import FixedClock

NOW = datetime(2026, 1, 1, tzinfo=UTC)
STAFF = uuid.uuid4()


def a_card(value: str = "50.00", **fields: object) -> GiftCard:
    return GiftCard.issue(
        id=uuid.uuid4(),
        code=GiftCardCode.new(),
        value=Money.of(value, "EUR"),
        expires_at=fields.pop("expires_at", None),  # type: ignore[arg-type]
        note=None,
        recipient_email=None,
        by=STAFF,
        now=NOW,
    )


def test_codes_are_random_typable_and_read_back_however_they_are_typed() -> None:
    codes = {GiftCardCode.new() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code.value) == CODE_LENGTH
        assert set(code.value) <= set(ALPHABET)
        assert GiftCardCode.parse(code.display.lower().replace("-", " ")) == code
    assert not set("01IO") & set(ALPHABET)  # nothing that reads as something else
    assert GiftCardCode.parse("ABCD-EFGH") is None
    assert GiftCardCode.parse("ABCD-EFGH-JKLM-NPQ0") is None  # 0 is not in the alphabet


def test_a_card_keeps_only_the_digest_and_last_four_of_its_code() -> None:
    code = GiftCardCode.new()
    card = GiftCard.issue(
        id=uuid.uuid4(),
        code=code,
        value=Money.of("20.00", "EUR"),
        expires_at=None,
        note=" a prize ",
        recipient_email=None,
        by=STAFF,
        now=NOW,
    )
    assert code.value not in repr(vars(card))
    assert (card.code_digest, card.last_four) == (code.digest, code.value[-4:])
    assert card.note == "a prize"
    (issued,) = card.pending_events
    assert isinstance(issued, ev.GiftCardIssued)
    assert code.value not in repr(issued)
    assert code.digest not in repr(issued)


@pytest.mark.parametrize(
    ("value", "expires_at"), [("0.00", None), ("10.00", NOW), ("10.00", NOW - timedelta(days=1))]
)
def test_a_card_is_issued_with_a_value_and_a_future_expiry(
    value: str, expires_at: datetime | None
) -> None:
    with pytest.raises(InvalidGiftCard):
        a_card(value, expires_at=expires_at)


def test_adjustments_top_up_or_take_never_below_zero_and_say_why() -> None:
    card = a_card("10.00")
    card.adjust(Decimal("5"), reason="goodwill", by=STAFF, now=NOW)
    card.adjust(Decimal("-15.00"), reason="spent at the till", by=STAFF, now=NOW)
    assert card.balance == Money.of("0.00", "EUR")
    with pytest.raises(AdjustmentBelowZero):
        card.adjust(Decimal("-0.01"), reason="one cent too far", by=STAFF, now=NOW)
    for amount, reason in [(Decimal(0), "nothing"), (Decimal(1), "  ")]:
        with pytest.raises(InvalidGiftCard):
            card.adjust(amount, reason=reason, by=STAFF, now=NOW)
    with pytest.raises(InvalidMoney):
        card.adjust(Decimal("0.001"), reason="finer than a cent", by=STAFF, now=NOW)
    adjusted = [e for e in card.pending_events if isinstance(e, ev.GiftCardAdjusted)]
    assert [e.amount for e in adjusted] == [Decimal(5), Decimal("-15.00")]


def test_disabling_and_enabling_record_one_event_each_time_it_changes() -> None:
    card = a_card()
    card.disable(by=STAFF, now=NOW)
    card.disable(by=STAFF, now=NOW)
    assert card.refusal(currency="EUR", now=NOW) == "is disabled"
    card.enable(by=STAFF, now=NOW)
    card.enable(by=STAFF, now=NOW)
    assert [type(e) for e in card.pending_events] == [
        ev.GiftCardIssued,
        ev.GiftCardDisabled,
        ev.GiftCardEnabled,
    ]
    assert card.status is GiftCardStatus.ACTIVE
    assert card.refusal(currency="EUR", now=NOW) is None
    assert card.refusal(currency="GBP", now=NOW) == "is in EUR, not GBP"
    expiring = a_card(expires_at=NOW + timedelta(days=1))
    assert expiring.refusal(currency="EUR", now=NOW + timedelta(days=1)) == "has expired"


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def bus(store: Store) -> CommandBus:
    bus = CommandBus()
    deps = GiftCardsDeps(uow=lambda: FakeGiftCardsUnitOfWork(store), clock=FixedClock(NOW))
    gift_cards.register(bus, deps)
    return bus


async def test_issuing_answers_the_code_once_and_stores_its_digest(
    bus: CommandBus, store: Store
) -> None:
    issued = await bus.handle(c.IssueGiftCard(amount="30.00", currency="eur", actor_id=STAFF))
    code = GiftCardCode.parse(issued.code)
    assert code is not None
    stored = store.cards[issued.gift_card.id]
    assert (stored.code_digest, stored.balance) == (code.digest, Money.of("30.00", "EUR"))
    assert store.movements == [Movement(stored.id, "issue", Decimal("30.00"))]
    assert [type(e) for e in store.events()] == [ev.GiftCardIssued]


async def test_changes_need_the_cards_current_version(bus: CommandBus, store: Store) -> None:
    issued = await bus.handle(c.IssueGiftCard(amount="30.00", currency="EUR", actor_id=STAFF))
    card_id = issued.gift_card.id
    with pytest.raises(PreconditionRequired):
        await bus.handle(
            c.DisableGiftCard(gift_card_id=card_id, expected_version=None, actor_id=STAFF)
        )
    with pytest.raises(PreconditionFailed):
        await bus.handle(
            c.DisableGiftCard(gift_card_id=card_id, expected_version=3, actor_id=STAFF)
        )
    with pytest.raises(GiftCardNotFound):
        await bus.handle(
            c.DisableGiftCard(gift_card_id=uuid.uuid4(), expected_version=0, actor_id=STAFF)
        )
    disabled = await bus.handle(
        c.DisableGiftCard(gift_card_id=card_id, expected_version=0, actor_id=STAFF)
    )
    adjusted = await bus.handle(
        c.AdjustGiftCard(
            gift_card_id=card_id,
            amount="+2.50",
            reason="top-up",
            expected_version=1,
            actor_id=STAFF,
        )
    )
    assert (disabled.status, disabled.version) == ("disabled", 1)
    assert (adjusted.balance, adjusted.version) == (Money.of("32.50", "EUR"), 2)
    with pytest.raises(InvalidGiftCard):
        await bus.handle(
            c.AdjustGiftCard(
                gift_card_id=card_id, amount="NaN", reason="odd", expected_version=2, actor_id=STAFF
            )
        )


async def test_an_order_is_credited_back_once(bus: CommandBus, store: Store) -> None:
    issued = await bus.handle(c.IssueGiftCard(amount="30.00", currency="EUR", actor_id=STAFF))
    order = uuid.uuid4()
    card = store.cards[issued.gift_card.id]
    card.balance = Money.of("20.00", "EUR")
    store.movements.append(Movement(card.id, "debit", Decimal("-10.00"), order))

    assert await bus.handle(c.CreditBackOrder(order_id=order)) == 1
    assert await bus.handle(c.CreditBackOrder(order_id=order)) == 0
    assert store.cards[card.id].balance == Money.of("30.00", "EUR")
