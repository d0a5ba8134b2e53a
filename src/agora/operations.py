"""`agora projections ...`: what an operator needs to see and repair the subscribers."""

import asyncio

from agora.bootstrap import platform, wire_all
from agora.runtime import resolve_database_url
from agora.settings import Settings
from agora.worker import runner_config
from infrastructure.db.engine import asyncpg_dsn
from infrastructure.embedded import EmbeddedServices
from infrastructure.eventlog import monitoring
from infrastructure.eventlog.subscribers import Projection


class UnknownSubscriber(LookupError):
    """No subscriber or projection has that name."""


def projections(settings: Settings, *, action: str, name: str | None) -> None:
    with EmbeddedServices() as embedded:
        database_url = resolve_database_url(settings, embedded)
        asyncio.run(_act(settings, database_url, action=action, name=name))


async def _act(settings: Settings, database_url: str, *, action: str, name: str | None) -> None:
    async with platform(settings, database_url=database_url, redis_url=None) as p:
        engine = p.engine
        if action == "status":
            print(format_statuses(await monitoring.subscription_statuses(engine)))
        elif action == "resume":
            assert name is not None
            if not await monitoring.resume(engine, name):
                raise UnknownSubscriber(f"no subscriber named {name!r} has run yet")
            print(f"{name}: resumed")
        elif action == "rebuild":
            subscribers = (s for w in wire_all(p) for s in w.subscribers)
            by_name = {s.name: s for s in subscribers if isinstance(s, Projection)}
            if name not in by_name:
                raise UnknownSubscriber(
                    f"no projection named {name!r}; projections: {', '.join(sorted(by_name))}"
                )
            await monitoring.rebuild(
                by_name[name],
                engine=engine,
                dsn=asyncpg_dsn(database_url),
                config=runner_config(settings),
            )
            print(f"{name}: rebuilt from the event log")


def format_statuses(statuses: list[monitoring.SubscriptionStatus]) -> str:
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
