"""What the statement counter (ADR 0027) adds, in CPU, per statement, per request and per
command, next to the same work without it, in the same run. No database is needed: the engine's
events are dispatched as SQLAlchemy dispatches them around each statement.

Usage: .venv/bin/python bench/statements.py [--rounds 3 --calls 200000]
"""

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from application.shared.bus import Command, CommandBus
from infrastructure.db.engine import build_engine
from infrastructure.db.statements import (
    StatementScopeMiddleware,
    command_scope,
    counting_statements,
)

URL = "postgresql+asyncpg://bench@127.0.0.1/bench"  # never connected to


def per_statement(engine: AsyncEngine, calls: int) -> float:
    """Microseconds of CPU for the engine's before/after cursor events of one statement."""
    dispatch, conn = engine.sync_engine.dispatch, _Connection()
    started = time.process_time()
    for _ in range(calls):
        dispatch.before_cursor_execute(conn, None, "SELECT 1", (), None, False)
        dispatch.after_cursor_execute(conn, None, "SELECT 1", (), None, False)
    return (time.process_time() - started) / calls * 1e6


class _Connection:
    """What the listeners touch of a connection: its `info` dict."""

    def __init__(self) -> None:
        self.info: dict[str, Any] = {}


async def bare_app(scope: Any, receive: Any, send: Any) -> None:
    return None


async def receive() -> dict[str, Any]:
    return {"type": "http.disconnect"}


async def send(_message: Any) -> None:
    return None


async def per_call(call: Callable[[], Awaitable[Any]], calls: int) -> float:
    started = time.process_time()
    for _ in range(calls):
        await call()
    return (time.process_time() - started) / calls * 1e6


@dataclass(frozen=True)
class Nothing(Command[None]):
    """A command whose handler does nothing: what is measured is the bus around it."""


async def do_nothing(_command: Nothing, _deps: None) -> None:
    return None


async def run(rounds: int, calls: int) -> None:
    counted, plain = build_engine(URL), create_async_engine(URL)
    wrapped = StatementScopeMiddleware(bare_app)
    buses: dict[str, CommandBus] = {
        "plain": CommandBus(),
        "counting": CommandBus(around=[command_scope]),
    }
    for bus in buses.values():
        bus.register(Nothing, do_nothing, None)
    rows: dict[str, list[float]] = {}
    with counting_statements():
        for _ in range(rounds):
            for name, value in (
                ("statement, no listeners (baseline)", per_statement(plain, calls)),
                ("statement, counter's listeners", per_statement(counted, calls)),
                (
                    "request, bare ASGI app (baseline)",
                    await per_call(lambda: bare_app({"type": "http"}, receive, send), calls),
                ),
                (
                    "request, inside StatementScopeMiddleware",
                    await per_call(lambda: wrapped({"type": "http"}, receive, send), calls),
                ),
                (
                    "command, CommandBus (baseline)",
                    await per_call(lambda: buses["plain"].handle(Nothing()), calls),
                ),
                (
                    "command, command_scope",
                    await per_call(lambda: buses["counting"].handle(Nothing()), calls),
                ),
            ):
                rows.setdefault(name, []).append(value)
    await counted.dispose()
    await plain.dispose()
    print(f"{'what':<42} {'µs CPU (median of rounds)':>26}")
    for name, values in rows.items():
        print(f"{name:<42} {sorted(values)[len(values) // 2]:>26.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=200_000)
    args = parser.parse_args()
    asyncio.run(run(args.rounds, args.calls))


if __name__ == "__main__":
    main()
