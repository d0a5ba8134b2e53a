"""Counting the SQL statements each request and each command runs, and logging the slow ones
(ADR 0027).

Two engine events see every statement SQLAlchemy sends; the pool's ping of an idle connection
and the asyncpg dialect's BEGIN and COMMIT are not statements to them, so a count is of the
SQL our code asks for. `before_cursor_execute` adds one to the innermost open scope and notes
the time; `after_cursor_execute` logs the statement text (placeholders, never the values) at
WARNING when it took `slow_ms` or longer. A scope lives in a contextvar: one per HTTP request
(`StatementScopeMiddleware`), one per command (`command_scope`, around the bus), and any block
of a test or a benchmark (`counting_statements()`). A scope that closes adds its count to the
one around it, so a request's count includes the commands it sent."""

import logging
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared.bus import Command

log = logging.getLogger(__name__)

# The ASGI interface, spelled out here so that the database adapter needs no web framework.
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Where a request's count is left for the access log: the ASGI scope's per-request state
# (Starlette's `request.state`), the one place both layers see.
REQUEST_STATE_KEY = "db_statements"
LONGEST_LOGGED_STATEMENT = 2_000
_STARTED = "agora.statement_started"


@dataclass(eq=False, kw_only=True)
class StatementCount:
    """The statements run inside one scope so far, and what the scope stands for: a request (its
    ASGI scope, whose route is known once routing is done) or a command."""

    statements: int = 0
    command: str | None = None
    request: Scope | None = None
    outer: "StatementCount | None" = None

    def route(self) -> str | None:
        """The route template (`/api/v1/products/{product_id}`) of the request this runs in."""
        scope: StatementCount | None = self
        while scope is not None:
            if scope.request is not None:
                return getattr(scope.request.get("route"), "path", None)
            scope = scope.outer
        return None

    def command_name(self) -> str | None:
        """The innermost command this runs in."""
        scope: StatementCount | None = self
        while scope is not None:
            if scope.command is not None:
                return scope.command
            scope = scope.outer
        return None


_current: ContextVar[StatementCount | None] = ContextVar("statement_count", default=None)


@contextmanager
def counting_statements(
    *, command: str | None = None, request: Scope | None = None
) -> Iterator[StatementCount]:
    """Count the statements run inside the block (in this task and the tasks it starts):
    `with counting_statements() as counted: ...; counted.statements`."""
    outer = _current.get()
    count = StatementCount(command=command, request=request, outer=outer)
    token = _current.set(count)
    try:
        yield count
    finally:
        _current.reset(token)
        if outer is not None:
            outer.statements += count.statements


def install_statement_counter(engine: AsyncEngine, *, slow_ms: float) -> None:
    """Count every statement of `engine` in the open scope; log those taking `slow_ms` or more."""
    threshold = slow_ms / 1000

    def before(conn: Connection, *_: Any) -> None:
        count = _current.get()
        if count is not None:
            count.statements += 1
        conn.info[_STARTED] = time.perf_counter()

    def after(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        seconds = time.perf_counter() - conn.info[_STARTED]
        if seconds >= threshold:
            _log_slow(statement, seconds)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine, "after_cursor_execute", after)


def _log_slow(statement: str, seconds: float) -> None:
    count = _current.get()
    log.warning(
        "slow statement",
        extra={
            "route": count.route() if count else None,
            "command": count.command_name() if count else None,
            "duration_ms": round(seconds * 1000, 2),
            # The text as sent: bound values are placeholders ($1), so no customer data.
            "statement": " ".join(statement.split())[:LONGEST_LOGGED_STATEMENT],
        },
    )


class StatementScopeMiddleware:
    """Pure ASGI: one scope per request, its route read from the ASGI scope when a slow
    statement is logged; the final count is left in the request's state for the access log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        with counting_statements(request=scope) as count:
            try:
                await self.app(scope, receive, send)
            finally:
                scope.setdefault("state", {})[REQUEST_STATE_KEY] = count.statements


def command_scope(command: Command[Any]) -> AbstractContextManager[StatementCount]:
    """Wraps a command on the bus (`CommandBus(around=...)`): its statements counted in a
    scope named for the command."""
    return counting_statements(command=type(command).__name__)
