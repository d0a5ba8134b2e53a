"""Keyset pagination: a page of items and an opaque cursor that points after its last item."""

import base64
import binascii
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

from application.shared import bounded_json
from application.shared.errors import InvalidCursor
from domain.shared.text import text_fault

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# A cursor is decoded from the client's text, so every key in it is range-checked before it
# reaches a query: a position fits PostgreSQL's bigint, an amount its numeric columns.
MAX_POSITION = 2**63 - 1
MAX_AMOUNT_DIGITS = 12  # an amount key is below 10^12, with at most 12 decimals
NOT_OURS = "the cursor is not one this service issued"


@dataclass(frozen=True)
class Page(Generic[T]):
    """Items in order, and the cursor of the next page (None on the last one)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(key: list[str]) -> str:
    """Wrap a sort key so clients treat it as opaque."""
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def utc_instant(value: datetime) -> datetime:
    """`value` in UTC (a naive one is taken as UTC); ValueError if UTC cannot hold it (as
    `0001-01-01T00:00:00+14:00`, which is in year 0 in UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the instant is out of range once converted to UTC") from None


def page_of(
    rows: Sequence[R], limit: int, *, item: Callable[[R], T], cursor: Callable[[R], str]
) -> Page[T]:
    """A page from rows fetched with `LIMIT limit + 1`: the extra row only tells that another
    page exists; the cursor points after the last row shown."""
    items = [item(row) for row in rows[:limit]]
    next_cursor = cursor(rows[limit - 1]) if len(rows) > limit else None
    return Page(items=items, next_cursor=next_cursor)


def encode_position_cursor(position: int) -> str:
    return encode_cursor([str(position)])


def decode_position_cursor(cursor: str) -> int:
    """The position after which the next page starts."""
    (value,) = decode_cursor(cursor, length=1)
    if not (value.isascii() and value.isdecimal() and len(value) <= 19):
        raise InvalidCursor(NOT_OURS)
    position = int(value)
    if position > MAX_POSITION:
        raise InvalidCursor(NOT_OURS)
    return position


def cursor_instant(key: str) -> datetime:
    """A timestamp key of a cursor, in UTC."""
    try:
        return utc_instant(datetime.fromisoformat(key))
    except ValueError:
        raise InvalidCursor(NOT_OURS) from None


def cursor_amount(key: str) -> Decimal:
    """An amount key of a cursor: a finite decimal within the range of the shop's prices."""
    try:
        amount = Decimal(key)
    except InvalidOperation:
        raise InvalidCursor(NOT_OURS) from None
    # Read off the digits, not computed: arithmetic on `1E+999999999` overflows the context.
    if not amount.is_finite() or amount.adjusted() >= MAX_AMOUNT_DIGITS:
        raise InvalidCursor(NOT_OURS)
    if int(amount.as_tuple().exponent) < -MAX_AMOUNT_DIGITS:
        raise InvalidCursor(NOT_OURS)
    return amount


def cursor_number(key: str) -> float:
    """A floating-point key of a cursor (a search rank): finite."""
    try:
        number = float(key)
    except ValueError:
        raise InvalidCursor(NOT_OURS) from None
    if not math.isfinite(number):
        raise InvalidCursor(NOT_OURS)
    return number


def decode_cursor(cursor: str, *, length: int) -> list[str]:
    """Unwrap a cursor made by `encode_cursor`, refusing anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = bounded_json.loads(base64.urlsafe_b64decode(padded.encode()), max_depth=1)
    except (binascii.Error, ValueError):
        raise InvalidCursor(NOT_OURS) from None
    if not (isinstance(key, list) and len(key) == length and all(isinstance(k, str) for k in key)):
        raise InvalidCursor(NOT_OURS)
    if any(text_fault(k) for k in key):
        raise InvalidCursor(NOT_OURS)
    return key
