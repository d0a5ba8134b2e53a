"""The rules every input goes through: text the database can keep, JSON nested within bounds,
cursor keys within the ranges of the columns they are compared with."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from api.schemas import Instant, SafeStr
from application.shared import bounded_json
from application.shared.errors import InvalidCursor
from application.shared.pagination import (
    cursor_amount,
    cursor_instant,
    cursor_number,
    decode_position_cursor,
    encode_cursor,
    encode_position_cursor,
)
from domain.shared.text import text_fault


class Form(BaseModel):
    text: SafeStr
    at: Instant | None = None


@pytest.mark.parametrize("value", ["a\x00b", "\ud800", "x\udfffy"])
def test_nul_and_lone_surrogates_are_refused_naming_the_field(value: str) -> None:
    assert text_fault(value) is not None
    with pytest.raises(ValidationError) as refused:
        Form(text=value)
    assert [e["loc"] for e in refused.value.errors()] == [("text",)]


@pytest.mark.parametrize("value", ["", "Ada", "Grüße, 東京 😀", "tab\tand\nnewline"])
def test_other_text_is_kept_as_sent(value: str) -> None:
    assert text_fault(value) is None
    assert Form(text=value).text == value


def test_an_instant_is_read_in_utc_and_refused_when_utc_cannot_hold_it() -> None:
    assert Form(text="", at="2026-03-01T13:00:00+01:00").at == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert Form(text="", at="2026-03-01T12:00:00").at == datetime(2026, 3, 1, 12, tzinfo=UTC)
    for out_of_range in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        with pytest.raises(ValidationError):
            Form(text="", at=out_of_range)


def test_json_nested_within_the_bound_parses_and_deeper_is_refused() -> None:
    depth = bounded_json.MAX_DEPTH
    assert bounded_json.loads("[" * depth + "]" * depth) is not None
    assert bounded_json.loads('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == {
        "a": "[" * 40
    }
    with pytest.raises(bounded_json.TooDeep):
        bounded_json.loads("[" * (depth + 1) + "]" * (depth + 1))
    with pytest.raises(bounded_json.TooDeep):
        bounded_json.loads("[" * 100_000)  # refused before the parser recurses


def test_position_cursors_fit_a_bigint() -> None:
    assert decode_position_cursor(encode_position_cursor(2**63 - 1)) == 2**63 - 1
    for position in (str(2**63), "9" * 40):
        with pytest.raises(InvalidCursor):
            decode_position_cursor(encode_cursor([position]))


@pytest.mark.parametrize(
    ("parse", "key"),
    [
        (cursor_amount, "1E+999999999"),
        (cursor_amount, "1E-999999999"),
        (cursor_amount, "NaN"),
        (cursor_amount, "Infinity"),
        (cursor_amount, "1000000000000"),
        (cursor_instant, "0001-01-01T00:00:00+14:00"),
        (cursor_instant, "not a date"),
        (cursor_number, "inf"),
        (cursor_number, "nan"),
    ],
)
def test_cursor_keys_out_of_range_are_not_ours(parse: Callable[[str], object], key: str) -> None:
    with pytest.raises(InvalidCursor):
        parse(key)


def test_cursor_keys_the_service_issues_are_read_back() -> None:
    assert str(cursor_amount("19.90")) == "19.90"
    assert cursor_instant("2026-03-01T12:00:00+00:00") == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert cursor_number("0.0607927") == 0.0607927
