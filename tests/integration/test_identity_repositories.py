"""Identity on real PostgreSQL beyond the ports' shared contract (tests/contracts): a refresh
token raced by concurrent claims, and the principal query."""

import asyncio
import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from application.identity.ports import AlreadyUsed, Claimed, IdentityUnitOfWorkFactory
from domain.identity.values import Role
from infrastructure.identity.readers import SqlUserDirectory
from infrastructure.identity.unit_of_work import SqlIdentityUnitOfWork
from tests.support.eventlog import REGISTRY
from tests.support.users import NOW, session_with_token


def sql_uow(engine: AsyncEngine) -> IdentityUnitOfWorkFactory:
    return lambda: SqlIdentityUnitOfWork(engine, REGISTRY)


async def _claim(engine: AsyncEngine, token_hash: str, now: datetime) -> object:
    async with SqlIdentityUnitOfWork(engine, REGISTRY) as uow:
        outcome = await uow.sessions.claim(token_hash, now=now)
        await asyncio.sleep(0.05)  # hold the row lock so the rivals really overlap
        await uow.commit()
    return outcome


async def test_of_many_concurrent_claims_of_one_token_exactly_one_wins(
    engine: AsyncEngine,
) -> None:
    session = await session_with_token(sql_uow(engine), "hash-race")
    outcomes = await asyncio.gather(*(_claim(engine, "hash-race", NOW) for _ in range(4)))
    assert sum(isinstance(o, Claimed) for o in outcomes) == 1
    assert all(
        isinstance(o, AlreadyUsed) and o.session_id == session.id
        for o in outcomes
        if not isinstance(o, Claimed)
    )


async def test_the_principal_query_sees_revocation_and_deactivation(engine: AsyncEngine) -> None:
    session = await session_with_token(sql_uow(engine), "hash-principal")
    directory = SqlUserDirectory(engine)
    principal = await directory.principal(user_id=session.user_id, session_id=session.id, now=NOW)
    assert principal is not None
    assert principal.roles == {Role.CUSTOMER, Role.STAFF}
    assert (
        await directory.principal(user_id=session.user_id, session_id=uuid.uuid4(), now=NOW) is None
    )
    assert (
        await directory.principal(
            user_id=session.user_id, session_id=session.id, now=NOW + timedelta(days=2)
        )
        is None
    )
