"""The statement counter on a real engine (ADR 0027): what it counts, how scopes nest, and what
a slow statement's log line holds."""

import asyncio
import logging
from dataclasses import dataclass

import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared.bus import Command, CommandBus
from infrastructure.db.engine import build_engine
from infrastructure.db.statements import command_scope, counting_statements

SECRET = "a-customer-email@example.com"


async def run(engine: AsyncEngine, statements: int) -> None:
    """`statements` statements in one transaction (BEGIN, COMMIT and the pre-ping are not)."""
    async with engine.begin() as conn:
        for _ in range(statements):
            await conn.execute(text("SELECT 1"))


async def test_a_scope_counts_the_statements_run_inside_it(engine: AsyncEngine) -> None:
    await run(engine, 2)  # outside any scope: counted nowhere
    with counting_statements() as counted:
        await run(engine, 3)
    await run(engine, 1)

    assert counted.statements == 3


async def test_an_inner_scope_adds_its_count_to_the_outer_one(engine: AsyncEngine) -> None:
    with counting_statements() as outer:
        await run(engine, 1)
        with counting_statements() as inner:
            await run(engine, 2)
        assert (inner.statements, outer.statements) == (2, 3)

    assert outer.statements == 3


async def test_tasks_started_inside_a_scope_count_in_it(engine: AsyncEngine) -> None:
    with counting_statements() as counted:
        await asyncio.gather(run(engine, 2), run(engine, 3))

    assert counted.statements == 5


@dataclass(frozen=True)
class LookUpTwice(Command[None]):
    email: str


async def look_up_twice(command: LookUpTwice, engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        for _ in range(2):
            await conn.execute(text("SELECT :email").bindparams(bindparam("email", command.email)))


async def test_slow_statements_name_their_command_and_never_their_values(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    every_statement = build_engine(database_url, pool_size=1, slow_statement_ms=0)
    bus = CommandBus(around=[command_scope])
    bus.register(LookUpTwice, look_up_twice, every_statement)
    try:
        with counting_statements() as counted, caplog.at_level(logging.WARNING):
            await bus.handle(LookUpTwice(email=SECRET))
    finally:
        await every_statement.dispose()

    slow = [r for r in caplog.records if r.name == "infrastructure.db.statements"]
    assert counted.statements == len(slow) == 2
    assert {getattr(r, "command", None) for r in slow} == {"LookUpTwice"}
    assert {getattr(r, "statement", None) for r in slow} == {"SELECT $1::VARCHAR"}
    assert SECRET not in caplog.text


async def test_statements_faster_than_the_threshold_are_not_logged(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        await run(engine, 3)

    assert not [r for r in caplog.records if r.name == "infrastructure.db.statements"]
