"""Every registered event type survives the trip to JSON and back; old versions are upcast."""

import dataclasses
import json
import typing
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest

from agora.bootstrap import build_registry
from domain.ordering.values import ShippingAddress
from domain.shared.events import DomainEvent
from infrastructure.eventlog.registry import EventRegistry, EventType, UnknownEventType
from tests.support.gift_card import GiftCardIssued

# Value objects that check their fields: a sample of each that passes.
VALID: dict[Any, Any] = {
    ShippingAddress: ShippingAddress(
        name="Ada", line1="1 Main St", line2=None, city="Paris", postal_code="75001", country="FR"
    ),
}


def sample(hint: Any) -> Any:
    """A value of the annotated type, for building one instance of any event."""
    origin = typing.get_origin(hint)
    if origin in (tuple, list, frozenset):
        return origin([sample(typing.get_args(hint)[0])] * 2)
    if origin is not None:  # Optional[X]
        return sample(next(a for a in typing.get_args(hint) if a is not type(None)))
    if isinstance(hint, type) and issubclass(hint, Enum):
        return next(iter(hint))
    if hint in VALID:
        return VALID[hint]
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return build(hint)
    values = {
        uuid.UUID: uuid.uuid4(),
        datetime: datetime(2026, 5, 17, 9, 30, 15, 123456, tzinfo=UTC),
        Decimal: Decimal("12.34"),
        str: "sample text",
        int: 42,
        bool: True,
    }
    return values[hint]


def build(cls: type[Any]) -> Any:
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: sample(hints[f.name]) for f in dataclasses.fields(cls)})


@pytest.mark.parametrize("entry", build_registry().types(), ids=lambda e: e.name)
def test_every_event_type_round_trips_through_json(entry: EventType) -> None:
    registry = build_registry()
    event = build(entry.cls)
    stored_entry, payload = registry.serialize(event)
    stored = json.loads(json.dumps(payload))  # what JSONB gives back

    assert stored_entry == entry
    assert registry.deserialize(entry.name, entry.version, stored) == event


def test_old_versions_are_upcast_step_by_step_when_read() -> None:
    registry = EventRegistry()
    registry.register(GiftCardIssued, context="billing", version=3)

    @registry.upcaster("GiftCardIssued", from_version=1)
    def cents_not_euros(payload: dict[str, Any]) -> dict[str, Any]:
        return payload | {"amount": payload.pop("euros") * 100}

    @registry.upcaster("GiftCardIssued", from_version=2)
    def card_id_renamed(payload: dict[str, Any]) -> dict[str, Any]:
        return payload | {"card_id": payload.pop("id")}

    card = uuid.uuid4()
    v1 = {"occurred_at": "2026-01-01T00:00:00+00:00", "id": str(card), "euros": 5}
    event = registry.deserialize("GiftCardIssued", 1, v1)

    assert event == GiftCardIssued(
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC), card_id=card, amount=500
    )


def test_unknown_types_missing_upcasters_and_future_versions_are_refused() -> None:
    registry = EventRegistry()
    registry.register(GiftCardIssued, context="billing", version=2)
    with pytest.raises(UnknownEventType):
        registry.deserialize("NoSuchEvent", 1, {})
    with pytest.raises(UnknownEventType, match="no upcaster"):
        registry.deserialize("GiftCardIssued", 1, {})
    with pytest.raises(UnknownEventType, match="newer"):
        registry.deserialize("GiftCardIssued", 3, {})
    with pytest.raises(UnknownEventType):
        registry.serialize(DomainEvent(occurred_at=datetime.now(UTC)))


def test_a_type_name_can_be_registered_once() -> None:
    registry = EventRegistry()
    registry.register(GiftCardIssued, context="billing")
    with pytest.raises(ValueError, match="twice"):
        registry.register(GiftCardIssued, context="billing")
