"""The `agora` command: help everywhere, one-line errors, and no tracebacks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

AGORA = str(Path(sys.executable).parent / "agora")


def run(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    return subprocess.run(  # noqa: S603 - our own console script
        [AGORA, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment | env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("command", [[], ["serve"], ["migrate"], ["seed"], ["create-admin"]])
def test_help_is_available_for_every_command(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: agora")


def test_a_bad_argument_is_one_line_and_exit_2() -> None:
    result = run("serve", "--port", "not-a-number")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "invalid int value" in result.stderr


def test_an_unknown_command_is_one_line_and_exit_2() -> None:
    result = run("launch-rockets")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1


def test_an_unreachable_database_is_one_line_and_exit_1() -> None:
    result = run("migrate", DATABASE_URL="postgresql://postgres@127.0.0.1:1/agora")
    assert result.returncode == 1
    assert result.stderr.startswith("agora: error: cannot reach PostgreSQL")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr + result.stdout


def test_an_invalid_setting_is_one_line_and_exit_1() -> None:
    result = run("migrate", HTTP_PORT="eighty")
    assert result.returncode == 1
    assert result.stderr.startswith("agora: error: invalid setting port")
    assert result.stderr.count("\n") == 1


def test_production_refuses_the_default_secret_and_says_why() -> None:
    result = run("serve", AGORA_ENV="production")
    assert result.returncode == 1
    assert "AUTH_JWT_SECRET" in result.stderr
    assert result.stderr.count("\n") == 1


def test_create_admin_then_migrate_and_seed_on_a_real_database(
    database_url: str, redis_url: str
) -> None:
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
    assert run("migrate", **env).returncode == 0
    weak = run(
        "create-admin", "--email", "boss@example.com", "--password-stdin", stdin="short\n", **env
    )
    assert weak.returncode == 1
    assert "at least 12 characters" in weak.stderr
    made = run(
        "create-admin",
        "--email",
        "boss@example.com",
        "--password-stdin",
        stdin="a-very-long-admin-passphrase\n",
        **env,
    )
    assert made.returncode == 0, made.stderr
    assert "admin ready: boss@example.com" in made.stdout
    seeded = [run("seed", **env) for _ in range(2)]  # idempotent
    assert all(s.returncode == 0 for s in seeded), seeded[-1].stderr
    assert "customer@agora.example.com" in seeded[-1].stdout
