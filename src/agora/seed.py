"""Demo accounts, created idempotently in demo mode (`AGORA_DEMO=true`, which `make run` sets)."""

from dataclasses import dataclass

from application.identity.commands import ProvisionAccount
from application.shared.bus import CommandBus
from domain.identity.roles import Role

DEMO_PASSWORD = "agora-demo-2026"  # noqa: S105 - published on purpose; refused in production


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    roles: frozenset[Role]


DEMO_ACCOUNTS = (
    DemoAccount("admin@agora.example.com", "Ada Admin", frozenset({Role.ADMIN})),
    DemoAccount("staff@agora.example.com", "Sam Staff", frozenset({Role.STAFF})),
    DemoAccount("customer@agora.example.com", "Cleo Customer", frozenset({Role.CUSTOMER})),
)


async def seed_demo(bus: CommandBus) -> None:
    for account in DEMO_ACCOUNTS:
        await bus.handle(
            ProvisionAccount(
                email=account.email,
                password=DEMO_PASSWORD,
                full_name=account.full_name,
                roles=account.roles,
            )
        )


def demo_banner() -> str:
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {a.email:<30} {', '.join(sorted(a.roles))}" for a in DEMO_ACCOUNTS]
    return "\n".join(lines)
