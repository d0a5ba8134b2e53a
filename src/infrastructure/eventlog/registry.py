"""Maps domain event classes to stored type names and schema versions, and back.

Payloads are JSON objects built from the dataclass fields. Reading an event whose stored
schema version is older than the registered one runs the registered upcasters in order."""

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol, TypeVar
from uuid import UUID

from domain.shared.events import DomainEvent

Payload = dict[str, Any]
T = TypeVar("T")
Upcaster = Callable[[Payload], Payload]


@dataclass(frozen=True)
class EventType:
    """How one event class is stored."""

    name: str
    version: int
    context: str
    cls: type[DomainEvent]


class Stored(Protocol):
    """What a stored event carries for decoding: its type name, schema version and payload."""

    @property
    def event_type(self) -> str: ...

    @property
    def schema_version(self) -> int: ...

    @property
    def payload(self) -> Mapping[str, Any]: ...


class UnknownEventType(LookupError):
    """A stored type name or a class that nobody registered."""


class EventRegistry:
    """The one table of event types; every stored event goes through it."""

    def __init__(self) -> None:
        self._by_name: dict[str, EventType] = {}
        self._by_class: dict[type[DomainEvent], EventType] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(
        self, cls: type[DomainEvent], *, context: str, version: int = 1, name: str | None = None
    ) -> None:
        entry = EventType(name=name or cls.__name__, version=version, context=context, cls=cls)
        if entry.name in self._by_name:
            raise ValueError(f"event type {entry.name} is registered twice")
        self._by_name[entry.name] = entry
        self._by_class[cls] = entry

    def upcaster(self, name: str, *, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function turning a `from_version` payload into `from_version + 1`."""

        def register(function: Upcaster) -> Upcaster:
            self._upcasters[(name, from_version)] = function
            return function

        return register

    def types(self) -> list[EventType]:
        return list(self._by_name.values())

    def of(self, event: DomainEvent) -> EventType:
        try:
            return self._by_class[type(event)]
        except KeyError:
            raise UnknownEventType(type(event).__name__) from None

    def name_of(self, cls: type[DomainEvent]) -> str:
        """The stored type name of an event class."""
        try:
            return self._by_class[cls].name
        except KeyError:
            raise UnknownEventType(cls.__name__) from None

    def named(self, name: str) -> EventType:
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownEventType(name) from None

    def register_all(self, classes: "tuple[type[DomainEvent], ...]", *, context: str) -> None:
        for cls in classes:
            self.register(cls, context=context, version=cls.SCHEMA_VERSION)

    def serialize(self, event: DomainEvent) -> tuple[EventType, Payload]:
        return self.of(event), to_json_value(event)

    def deserialize(self, name: str, version: int, payload: Payload) -> DomainEvent:
        entry = self.named(name)
        if version > entry.version:
            raise UnknownEventType(f"{name} v{version} is newer than this code (v{entry.version})")
        while version < entry.version:
            try:
                payload = self._upcasters[(name, version)](dict(payload))
            except KeyError:
                raise UnknownEventType(f"no upcaster for {name} v{version}") from None
            version += 1
        return from_json_value(entry.cls, payload)

    def decode(self, stored: Stored) -> DomainEvent:
        """The domain event a stored row holds, upcast to the current schema version."""
        return self.deserialize(stored.event_type, stored.schema_version, dict(stored.payload))


def to_json_value(value: Any) -> Any:
    """Dataclasses, UUIDs, Decimals, datetimes and enums as plain JSON values."""
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value) if isinstance(value, frozenset | set) else value
        return [to_json_value(v) for v in items]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


_FIELDS: dict[type[Any], tuple[tuple[str, Any], ...]] = {}


def _fields(cls: type[Any]) -> tuple[tuple[str, Any], ...]:
    """A dataclass's fields and their resolved types; resolving them is costly, so once."""
    if cls not in _FIELDS:
        hints = typing.get_type_hints(cls)
        _FIELDS[cls] = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))
    return _FIELDS[cls]


def from_json_value(cls: type[T], payload: Payload) -> T:
    """The dataclass `cls` rebuilt from `to_json_value`'s output, by its type hints."""
    return cls(
        **{name: _convert(hint, payload[name]) for name, hint in _fields(cls) if name in payload}
    )


def _convert(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
        return _convert(hint, value)
    if origin in (tuple, list, frozenset):
        item = typing.get_args(hint)[0]
        return origin(_convert(item, v) for v in value)
    if hint in (UUID, Decimal):
        return hint(value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if dataclasses.is_dataclass(hint):
        return from_json_value(hint, value)  # type: ignore[arg-type]
    return value
