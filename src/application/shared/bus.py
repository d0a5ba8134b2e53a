"""The command bus: one visible registry of command type to handler, filled by the composition
root; every use case runs through it, whoever asks (a route, a process, a consumer, a job).
Registration is typed: registering a handler for another command, or with another context's
dependencies, fails type checking."""

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from typing import Any, Generic, TypeVar, cast

R = TypeVar("R")
C = TypeVar("C", bound="Command[Any]")
D = TypeVar("D")


class Command(Generic[R]):
    """Base of commands; `R` is what the handler returns (read-your-writes responses)."""


class UnknownCommand(LookupError):
    """A command was sent that no handler was registered for: a wiring bug."""


# Something that wraps each command's handling: the composition root passes the statement
# counter's scope and, when traces are on, a span (infrastructure; the bus knows neither).
Around = Callable[["Command[Any]"], AbstractContextManager[object]]


class CommandBus:
    """Dispatches each command to the one handler registered for its type, inside each of
    `around`'s context managers (the first outermost)."""

    def __init__(self, *, around: Sequence[Around] = ()) -> None:
        self._handlers: dict[
            type[Command[Any]], tuple[Callable[[Any, Any], Awaitable[Any]], Any]
        ] = {}
        self._around = tuple(around)

    def register(
        self, command: type[C], handler: Callable[[C, D], Awaitable[Any]], deps: D
    ) -> None:
        if command in self._handlers:
            raise ValueError(f"{command.__name__} has a handler already")
        self._handlers[command] = (handler, deps)

    async def handle(self, command: Command[R]) -> R:
        try:
            handler, deps = self._handlers[type(command)]
        except KeyError:
            raise UnknownCommand(type(command).__name__) from None
        if not self._around:
            return cast(R, await handler(command, deps))
        with ExitStack() as stack:
            for wrap in self._around:
                stack.enter_context(wrap(command))
            return cast(R, await handler(command, deps))
