"""What every in-memory fake shares: a clock that stands still, and the unit of work.

The fake unit of work keeps the SQL one's promises (held by `tests/contracts`): it works on a
copy of the store and only `commit()` makes changes visible; it appends the new events of every
aggregate its repositories saw, in commit order, refusing an event-sourced append that expects
an older version (ConcurrencyConflict); and one opened by the task that has another of the same
store open joins it as a savepoint: its commit hands its changes to the outer one, leaving
without a commit drops them."""

import asyncio
import copy
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from application.shared.clock import Clock
from application.shared.errors import ConcurrencyConflict
from domain.shared.aggregate import AggregateRoot, EventSourcedAggregate
from domain.shared.events import DomainEvent


class FixedClock(Clock):
    """The Clock port, standing still until a test moves it."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@dataclass
class FakeStore:
    """What the fake database holds: subclasses add their tables. `streams` is the event log
    (stream id -> events), `commits` counts committed units of work, `conflicts` makes the next
    commits lose a race."""

    streams: dict[str, list[DomainEvent]] = field(default_factory=dict)
    commits: int = 0
    conflicts: int = 0

    def events(self) -> list[DomainEvent]:
        return [e for stream in self.streams.values() for e in stream]


S = TypeVar("S", bound=FakeStore)
A = TypeVar("A", bound=AggregateRoot)

# The working copy of each store that a unit of work has open, by store identity, and its task.
_open: ContextVar[dict[int, tuple[Any, Any]] | None] = ContextVar(
    "fake_open_units_of_work", default=None
)


class FakeUnitOfWork(Generic[S]):
    """Subclasses build their repositories on `self.working` in `_open`."""

    def __init__(self, store: S) -> None:
        self.committed_store = store
        self._seen: dict[int, AggregateRoot] = {}

    async def __aenter__(self) -> Self:
        opened = _open.get() or {}
        outer = opened.get(id(self.committed_store))
        task = asyncio.current_task()
        into = outer[0] if outer is not None and outer[1] is task else None
        self._joined = into is not None
        self._into: S = into if into is not None else self.committed_store
        self.working: S = copy.deepcopy(self._into)
        self._token = _open.set(opened | {id(self.committed_store): (self.working, task)})
        self._seen = {}
        self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _open.reset(self._token)

    async def commit(self) -> None:
        if self.committed_store.conflicts:
            self.committed_store.conflicts -= 1
            raise ConcurrencyConflict("someone else appended first")
        for aggregate in self._seen.values():
            self._append(aggregate)
        kept = self.committed_store.commits + (not self._joined), self.committed_store.conflicts
        self._into.__dict__.update(copy.deepcopy(self.working).__dict__)
        self.committed_store.commits, self.committed_store.conflicts = kept

    def seen(self, aggregate: A) -> A:
        self._seen.setdefault(id(aggregate), aggregate)
        return aggregate

    def _append(self, aggregate: AggregateRoot) -> None:
        stream = self.working.streams.setdefault(aggregate.stream_id, [])
        if isinstance(aggregate, EventSourcedAggregate) and aggregate.loaded_version != len(stream):
            raise ConcurrencyConflict(
                f"stream {aggregate.stream_id} is at version {len(stream)}, "
                f"not {aggregate.loaded_version}"
            )
        stream.extend(aggregate.collect_events())

    def _open(self) -> None:
        raise NotImplementedError
