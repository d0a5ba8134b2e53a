"""Keyset pagination: a page of items and an opaque cursor that points after its last item."""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from application.shared.errors import InvalidCursor

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    """Items in order, and the cursor of the next page (None on the last one)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(key: list[str]) -> str:
    """Wrap a sort key so clients treat it as opaque."""
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


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
    if not (value.isascii() and value.isdecimal()):
        raise InvalidCursor("the cursor is not one this service issued")
    return int(value)


def decode_cursor(cursor: str, *, length: int) -> list[str]:
    """Unwrap a cursor made by `encode_cursor`, refusing anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidCursor("the cursor is not one this service issued") from None
    if not (isinstance(key, list) and len(key) == length and all(isinstance(k, str) for k in key)):
        raise InvalidCursor("the cursor is not one this service issued")
    return key
