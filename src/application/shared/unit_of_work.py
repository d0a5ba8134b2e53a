"""The unit of work: one transaction per command, rolled back unless committed; and the retry
that starts a command over in a fresh one when a concurrent writer got there first."""

import functools
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Protocol, Self, TypeVar

from application.shared.errors import ConcurrencyConflict

C = TypeVar("C")
D = TypeVar("D")
R = TypeVar("R")

MAX_ATTEMPTS = 3


class UnitOfWork(Protocol):
    """Each context's unit of work adds the repositories its handlers need. Aggregates they
    load or add are seen; committing appends their new events to the event log with their
    state. One opened while another is open in the same task joins it: its commit is final
    only when the outer one commits, and the outer one rolling back undoes it."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


def retried(handler: Callable[[C, D], Awaitable[R]]) -> Callable[[C, D], Awaitable[R]]:
    """The handler, run again in a fresh unit of work when its commit lost a race with a
    concurrent writer (ConcurrencyConflict), up to MAX_ATTEMPTS times in all."""

    @functools.wraps(handler)
    async def run(command: C, deps: D) -> R:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await handler(command, deps)
            except ConcurrencyConflict:
                if attempt == MAX_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    return run
