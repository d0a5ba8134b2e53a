"""The unit of work: one transaction per command, rolled back unless committed."""

from types import TracebackType
from typing import Protocol, Self


class UnitOfWork(Protocol):
    """Each context's unit of work adds the repositories its handlers need."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
