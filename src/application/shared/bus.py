"""The command bus: one visible registry of command type to handler, filled by the composition
root; every use case runs through it, whoever asks (a route, a process, a consumer, a job).
Registration is typed: registering a handler for another command, or with another context's
dependencies, fails type checking."""

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar, cast

R = TypeVar("R")
C = TypeVar("C", bound="Command[Any]")
D = TypeVar("D")


class Command(Generic[R]):
    """Base of commands; `R` is what the handler returns (read-your-writes responses)."""


class UnknownCommand(LookupError):
    """A command was sent that no handler was registered for: a wiring bug."""


class CommandBus:
    """Dispatches each command to the one handler registered for its type."""

    def __init__(self) -> None:
        self._handlers: dict[
            type[Command[Any]], tuple[Callable[[Any, Any], Awaitable[Any]], Any]
        ] = {}

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
        return cast(R, await handler(command, deps))
