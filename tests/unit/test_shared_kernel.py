"""The command bus (and its typed registration), pagination cursors."""

import textwrap
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mypy import api as mypy

from application.shared.bus import Command, CommandBus, UnknownCommand
from application.shared.errors import InvalidCursor
from application.shared.pagination import decode_cursor, encode_cursor
from application.shared.views import view_of


@dataclass(frozen=True)
class Double(Command[int]):
    value: int


@dataclass(frozen=True)
class Unregistered(Command[None]):
    pass


async def double(cmd: Double, deps: int) -> int:
    return cmd.value * deps


@dataclass(frozen=True)
class Halve(Command[float]):
    value: int


async def halve(cmd: Halve, deps: None) -> float:
    return cmd.value / 0  # fails inside the wrappers, which still close


async def test_the_bus_sends_each_command_to_its_handler_with_its_dependencies() -> None:
    bus = CommandBus()
    bus.register(Double, double, 2)
    assert await bus.handle(Double(21)) == 42
    with pytest.raises(UnknownCommand):
        await bus.handle(Unregistered())
    with pytest.raises(ValueError, match="has a handler already"):
        bus.register(Double, double, 3)


async def test_the_bus_runs_each_command_inside_its_wrappers_first_outermost() -> None:
    seen: list[str] = []

    def wrapper(name: str) -> Callable[[Command[Any]], AbstractContextManager[object]]:
        @contextmanager
        def around(command: Command[Any]) -> Iterator[None]:
            seen.append(f"{name} enters {type(command).__name__}")
            try:
                yield
            finally:
                seen.append(f"{name} leaves")

        return around

    bus = CommandBus(around=[wrapper("outer"), wrapper("inner")])
    bus.register(Double, double, 0)
    bus.register(Halve, halve, None)
    assert await bus.handle(Double(1)) == 0
    with pytest.raises(ZeroDivisionError):
        await bus.handle(Halve(1))
    assert seen == [
        "outer enters Double",
        "inner enters Double",
        "inner leaves",
        "outer leaves",
        "outer enters Halve",
        "inner enters Halve",
        "inner leaves",
        "outer leaves",
    ]


REGISTRATION = """
    from dataclasses import dataclass

    from application.shared.bus import Command, CommandBus


    @dataclass(frozen=True)
    class Double(Command[int]):
        value: int


    @dataclass(frozen=True)
    class Halve(Command[int]):
        value: int


    async def double(cmd: Double, deps: int) -> int:
        return cmd.value * deps


    bus = CommandBus()
    bus.register({command}, double, {deps})
"""


@pytest.mark.parametrize(
    ("command", "deps", "error"),
    [("Double", "2", None), ("Halve", "2", "arg-type"), ("Double", '"two"', "arg-type")],
)
def test_registering_a_handler_for_another_command_or_dependencies_fails_type_checking(
    tmp_path: Path, command: str, deps: str, error: str | None
) -> None:
    module = tmp_path / "registration.py"
    module.write_text(textwrap.dedent(REGISTRATION.format(command=command, deps=deps)))
    out, _, status = mypy.run(["--strict", "--no-incremental", str(module)])
    if error is None:
        assert status == 0, out
    else:
        assert status == 1
        assert f"[{error}]" in out, out


def test_cursors_round_trip_and_stay_opaque() -> None:
    cursor = encode_cursor(["2026-01-01T00:00:00+00:00", "abc"])
    assert "2026" not in cursor
    assert decode_cursor(cursor, length=2) == ["2026-01-01T00:00:00+00:00", "abc"]


@pytest.mark.parametrize("cursor", ["garbage!", encode_cursor(["only-one"]), "e30", ""])
def test_foreign_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, length=2)


@dataclass(frozen=True)
class Named:
    id: int
    name: str


def test_a_view_is_read_off_attributes_or_keys_and_told_what_differs() -> None:
    @dataclass
    class Source:
        id: int
        name: str
        secret: str

    assert view_of(Named, Source(1, "mug", "s3cret")) == Named(1, "mug")
    assert view_of(Named, {"id": 2, "name": "cup", "extra": 0}) == Named(2, "cup")
    assert view_of(Named, Source(1, "mug", "s3cret"), name="MUG") == Named(1, "MUG")
    with pytest.raises(KeyError):
        view_of(Named, {"id": 3})
