"""Views are plain dataclasses read off an aggregate, an event or a row by field name: this one
function does the copying, so no view lists its fields a second time to fill them."""

from collections.abc import Mapping
from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

V = TypeVar("V", bound="DataclassInstance")


def view_of(view: type[V], source: object, /, **values: Any) -> V:
    """A `view` (a dataclass) with each field taken from `source`: its same-named attribute, or
    key when it is a mapping such as a database row. `values` gives the fields that differ."""
    read = source.__getitem__ if isinstance(source, Mapping) else source.__getattribute__
    names = (f.name for f in fields(view) if f.init and f.name not in values)
    return view(**{name: read(name) for name in names}, **values)
