"""`agora projections ...`: what an operator needs to see and repair the subscribers."""

import asyncio

from agora.runtime import check_database, resolve_database_url
from agora.settings import Settings
from agora.worker import build_registry, runner_config
from agora.worker import projections as all_projections
from infrastructure.db.engine import asyncpg_dsn, build_engine
from infrastructure.embedded import EmbeddedServices
from infrastructure.eventlog.monitoring import (
    SubscriptionStatus,
    rebuild,
    resume,
    subscription_statuses,
)


class UnknownSubscriber(LookupError):
    """No subscriber or projection has that name."""


def projections(settings: Settings, *, action: str, name: str | None) -> None:
    embedded = EmbeddedServices()
    try:
        database_url = resolve_database_url(settings, embedded)
        check_database(database_url)
        asyncio.run(_act(settings, database_url, action=action, name=name))
    finally:
        embedded.close()


async def _act(settings: Settings, database_url: str, *, action: str, name: str | None) -> None:
    engine = build_engine(database_url, pool_size=2)
    try:
        if action == "status":
            print(format_statuses(await subscription_statuses(engine)))
        elif action == "resume":
            assert name is not None
            if not await resume(engine, name):
                raise UnknownSubscriber(f"no subscriber named {name!r} has run yet")
            print(f"{name}: resumed")
        elif action == "rebuild":
            by_name = {p.name: p for p in all_projections(build_registry())}
            if name not in by_name:
                raise UnknownSubscriber(
                    f"no projection named {name!r}; projections: {', '.join(sorted(by_name))}"
                )
            await rebuild(
                by_name[name],
                engine=engine,
                dsn=asyncpg_dsn(database_url),
                config=runner_config(settings),
            )
            print(f"{name}: rebuilt from the event log")
    finally:
        await engine.dispose()


def format_statuses(statuses: list[SubscriptionStatus]) -> str:
    lines = [
        f"{'subscriber':<20} {'status':<8} {'position':>9} {'pending':>8} {'lag s':>8} "
        f"{'dead':>5}  last error"
    ]
    for s in statuses:
        lines.append(
            f"{s.name:<20} {s.status:<8} {s.position:>9} {s.pending:>8} "
            f"{s.lag_seconds:>8.1f} {s.dead_letters:>5}  {s.last_error or ''}"
        )
    if not statuses:
        lines.append(
            "(no subscriber has run yet: start `agora worker` or `agora serve --with-worker`)"
        )
    return "\n".join(lines)
