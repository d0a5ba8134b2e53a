"""The command bus: one visible registry of command type to handler, filled by the composition
root."""

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar, cast

R = TypeVar("R")


class Command(Generic[R]):
    """Base of commands; `R` is what the handler returns (read-your-writes responses)."""


Handler = Callable[[Any], Awaitable[Any]]


class UnknownCommand(LookupError):
    """A command was sent that no handler was registered for: a wiring bug."""


class CommandBus:
    """Dispatches each command to the one handler registered for its type."""

    def __init__(self, handlers: dict[type[Command[Any]], Handler]) -> None:
        self._handlers = dict(handlers)

    async def handle(self, command: Command[R]) -> R:
        try:
            handler = self._handlers[type(command)]
        except KeyError:
            raise UnknownCommand(type(command).__name__) from None
        return cast(R, await handler(command))
