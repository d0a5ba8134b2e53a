"""An event-sourced aggregate rebuilt from its events equals the one that raised them."""

import uuid

import pytest

from tests.support.gift_card import GiftCard, InsufficientBalance


def test_a_replayed_aggregate_equals_the_live_one() -> None:
    live = GiftCard.issue(uuid.uuid4(), 100)
    live.redeem(30)
    live.redeem(20)
    events = live.collect_events()

    replayed = GiftCard.replay(events)

    assert vars(replayed) == vars(live)
    assert (replayed.balance, replayed.version) == (50, 3)


def test_rules_are_checked_by_commands_but_not_on_replay() -> None:
    card = GiftCard.issue(uuid.uuid4(), 10)
    with pytest.raises(InsufficientBalance):
        card.redeem(11)
    assert card.version == 1
    assert len(card.collect_events()) == 1
