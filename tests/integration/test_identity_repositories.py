"""Identity on real PostgreSQL beyond the ports' shared contract (tests/contracts): a refresh
token raced by concurrent claims, and the principal query."""

import asyncio
import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from application.identity.ports import AlreadyUsed, Claimed
from domain.identity.session import LoginSession, RefreshToken
from domain.identity.user import User
from domain.identity.values import Role
from infrastructure.identity.readers import SqlUserDirectory
from infrastructure.identity.unit_of_work import SqlIdentityUnitOfWork
from tests.support.eventlog import REGISTRY
from tests.support.users import NOW, a_user


async def add(engine: AsyncEngine, user: User) -> None:
    async with SqlIdentityUnitOfWork(engine, REGISTRY) as uow:
        await uow.users.add(user)
        await uow.commit()


async def _session_with_token(engine: AsyncEngine, token_hash: str) -> LoginSession:
    user = a_user(f"{uuid.uuid4().hex[:8]}@example.com")
    await add(engine, user)
    session = LoginSession(
        id=uuid.uuid4(), user_id=user.id, created_at=NOW, expires_at=NOW + timedelta(days=1)
    )
    token = RefreshToken(
        id=uuid.uuid4(),
        session_id=session.id,
        token_hash=token_hash,
        issued_at=NOW,
        expires_at=session.expires_at,
    )
    async with SqlIdentityUnitOfWork(engine, REGISTRY) as uow:
        await uow.sessions.start(session, token)
        await uow.commit()
    return session


async def _claim(engine: AsyncEngine, token_hash: str, now: datetime) -> object:
    async with SqlIdentityUnitOfWork(engine, REGISTRY) as uow:
        outcome = await uow.sessions.claim(token_hash, now=now)
        await asyncio.sleep(0.05)  # hold the row lock so the rivals really overlap
        await uow.commit()
    return outcome


async def test_of_many_concurrent_claims_of_one_token_exactly_one_wins(
    engine: AsyncEngine,
) -> None:
    session = await _session_with_token(engine, "hash-race")
    outcomes = await asyncio.gather(*(_claim(engine, "hash-race", NOW) for _ in range(4)))
    assert sum(isinstance(o, Claimed) for o in outcomes) == 1
    assert all(
        isinstance(o, AlreadyUsed) and o.session_id == session.id
        for o in outcomes
        if not isinstance(o, Claimed)
    )


async def test_the_principal_query_sees_revocation_and_deactivation(engine: AsyncEngine) -> None:
    session = await _session_with_token(engine, "hash-principal")
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
