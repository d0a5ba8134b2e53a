"""JSON from outside, parsed with its nesting bounded: the standard parser recurses once per
level, so a document nested a few thousand deep would exhaust the stack (`RecursionError`)
instead of being refused."""

import json
import re
from typing import Any

# No document Agora reads (a request body, a product's attributes, a payment callback) nests
# deeper than a handful of levels; 32 leaves room and stays far from the recursion limit.
MAX_DEPTH = 32

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


class TooDeep(ValueError):
    """The document nests arrays and objects deeper than allowed."""


def loads(document: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads`, refusing a document nested deeper than `max_depth` before it is parsed;
    raises ValueError (`json.JSONDecodeError` or TooDeep) for anything that is not JSON."""
    text = document.decode("utf-8") if isinstance(document, bytes) else document
    check_depth(text, max_depth=max_depth)
    return json.loads(text)


def check_depth(text: str, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise TooDeep when the brackets outside strings open deeper than `max_depth`."""
    if text.count("[") + text.count("{") <= max_depth:
        return
    depth = 0
    for bracket in _NOT_A_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > max_depth:
            raise TooDeep(f"JSON nested deeper than {max_depth} levels")
