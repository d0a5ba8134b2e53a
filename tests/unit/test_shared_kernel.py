"""The command bus, pagination cursors and the clock."""

from dataclasses import dataclass

import pytest

from application.shared.bus import Command, CommandBus, UnknownCommand
from application.shared.errors import InvalidCursor
from application.shared.pagination import decode_cursor, encode_cursor


@dataclass(frozen=True)
class Double(Command[int]):
    value: int


@dataclass(frozen=True)
class Unregistered(Command[None]):
    pass


async def test_the_bus_sends_each_command_to_its_handler() -> None:
    async def double(cmd: Double) -> int:
        return cmd.value * 2

    bus = CommandBus({Double: double})
    assert await bus.handle(Double(21)) == 42
    with pytest.raises(UnknownCommand):
        await bus.handle(Unregistered())


def test_cursors_round_trip_and_stay_opaque() -> None:
    cursor = encode_cursor(["2026-01-01T00:00:00+00:00", "abc"])
    assert "2026" not in cursor
    assert decode_cursor(cursor, length=2) == ["2026-01-01T00:00:00+00:00", "abc"]


@pytest.mark.parametrize("cursor", ["garbage!", encode_cursor(["only-one"]), "e30", ""])
def test_foreign_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, length=2)
