"""The `agora` command: serve, migrate, seed, create-admin. Errors are one line and exit 1;
bad arguments exit 2, as argparse does, but without a traceback or a usage dump.

Only argparse is imported up front: `agora --help` answers at once, and each command imports
what it needs (settings alone load pydantic and limits; serving loads the whole app)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from agora.settings import Settings
    from api.services import ApiServices

EXIT_ERROR = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="agora", description="Agora, a domain-driven e-commerce backend.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = commands.add_parser("serve", help="Start the HTTP API (embedded services if no URLs).")
    serve.add_argument("--host", help="Interface (default: HTTP_HOST)")
    serve.add_argument("--port", type=int, help="Port (default: HTTP_PORT)")
    serve.add_argument(
        "--migrate", action="store_true", help="Apply database migrations before serving."
    )
    serve.add_argument(
        "--with-worker",
        action="store_true",
        help="Also run the event-log subscribers and the Kafka relay in this process.",
    )

    commands.add_parser(
        "worker", help="Run the event-log subscribers (projections) and the Kafka relay."
    )

    projections = commands.add_parser("projections", help="Inspect and repair subscribers.")
    actions = projections.add_subparsers(dest="action", required=True, parser_class=_Parser)
    actions.add_parser("status", help="Position, backlog, lag and state of every subscriber.")
    rebuild = actions.add_parser("rebuild", help="Drop a read model and replay the log into it.")
    rebuild.add_argument("name", help="The projection's name (see `projections status`).")
    resume = actions.add_parser("resume", help="Let a stopped subscriber try again.")
    resume.add_argument("name", help="The subscriber's name.")

    commands.add_parser("migrate", help="Apply database migrations up to the newest.")
    commands.add_parser("seed", help="Create the demo accounts (idempotent).")

    admin = commands.add_parser("create-admin", help="Create an admin, or promote an account.")
    admin.add_argument("--email", required=True, help="The admin's email (login name).")
    admin.add_argument("--name", default="Administrator", help="Full name.")
    admin.add_argument(
        "--password-stdin",
        action="store_true",
        help="Read the password from standard input instead of prompting.",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        from agora.logging_config import configure_logging
        from agora.settings import load_settings

        settings = load_settings()
        # Long-running processes log to stdout; one-shot commands keep stdout for their output.
        long_running = args.command in ("serve", "worker")
        configure_logging(
            settings.app.log_level,
            log_format=settings.app.log_format,
            production=settings.app.env == "production",
            stream=sys.stdout if long_running else sys.stderr,
        )
        _COMMANDS[args.command](settings, args)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the CLI promises one line, never a traceback
        _fail(_message(exc))


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    from agora.server import serve

    serve(
        settings, host=args.host, port=args.port, migrate=args.migrate, with_worker=args.with_worker
    )


def _worker(settings: Settings, args: argparse.Namespace) -> None:
    from agora.server import worker

    worker(settings)


def _projections(settings: Settings, args: argparse.Namespace) -> None:
    from agora.operations import projections

    projections(settings, action=args.action, name=getattr(args, "name", None))


def _migrate(settings: Settings, args: argparse.Namespace) -> None:
    from agora.server import migrate

    migrate(settings)


def _seed(settings: Settings, args: argparse.Namespace) -> None:
    from agora.settings import ConfigurationError

    if settings.app.env == "production":
        raise ConfigurationError("demo accounts have published passwords; not in production")
    from agora.seed import demo_banner, seed_demo

    _with_services(settings, seed_demo)
    print(demo_banner())


def _create_admin(settings: Settings, args: argparse.Namespace) -> None:
    from application.identity.commands import CreateAdmin

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat: "):
            raise ValueError("the passwords differ")
    else:
        raise ValueError("no terminal to prompt on; pass the password with --password-stdin")
    command = CreateAdmin(email=args.email, password=password, full_name=args.name)

    async def run(services: ApiServices) -> None:
        user = await services.bus.handle(command)
        print(f"admin ready: {user.email} ({user.id})")

    _with_services(settings, run)


def _with_services(settings: Settings, action: Callable[[ApiServices], Awaitable[None]]) -> None:
    """Run one action against the wired services, opened and closed around it."""
    from agora.bootstrap import open_services
    from agora.runtime import resolve_service_urls
    from infrastructure.embedded import EmbeddedServices

    with EmbeddedServices() as embedded:
        urls = resolve_service_urls(settings, embedded)

        async def run() -> None:
            async with open_services(
                settings, database_url=urls.database, redis_url=urls.redis
            ) as services:
                await action(services)

        asyncio.run(run())


def _message(exc: BaseException) -> str:
    detail = getattr(exc, "detail", None) or str(exc) or type(exc).__name__
    return str(detail).strip().splitlines()[0]


def _fail(message: str) -> NoReturn:
    print(f"agora: error: {message}", file=sys.stderr)
    sys.exit(EXIT_ERROR)


_COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], None]] = {
    "serve": _serve,
    "migrate": _migrate,
    "seed": _seed,
    "worker": _worker,
    "projections": _projections,
    "create-admin": _create_admin,
}
