"""The `agora` command: help everywhere, fast; one-line errors that name what to change; no
tracebacks; `serve` says where it listens and stops cleanly on Ctrl+C."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.servers import free_port
from tests.support.settings import TEST_JWT_SECRET

AGORA = str(Path(sys.executable).parent / "agora")
# What `agora --help` must not load: each costs a noticeable part of a second at start.
HEAVY = ("pydantic", "pydantic_settings", "fastapi", "sqlalchemy", "redis", "limits", "uvicorn")


def run(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    return subprocess.run(  # noqa: S603 - our own console script
        [AGORA, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment | env,
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
    assert result.stderr.startswith("agora: error: invalid setting HTTP_PORT: ")
    assert result.stderr.count("\n") == 1


def test_help_loads_no_framework() -> None:
    """--help answers from argparse alone; the frameworks load only for a real command."""
    probe = (
        "import sys\n"
        "from agora.cli import main\n"
        "try:\n"
        "    main(['serve', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(set({HEAVY!r}) & set(sys.modules)))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]"


def test_a_busy_port_is_one_line_that_names_http_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", HTTP_PORT=str(port), AGORA_ENV="test")
    assert result.returncode == 1
    assert result.stderr.startswith(f"agora: error: port {port} on 127.0.0.1 is in use")
    assert "HTTP_PORT" in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr + result.stdout


def test_serve_announces_its_url_and_stops_cleanly_on_ctrl_c(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "WORKER_"))}
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [AGORA, "serve"],
        env=environment
        | {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "HTTP_PORT": str(port),
            "AUTH_JWT_SECRET": TEST_JWT_SECRET,
            "AGORA_ENV": "test",
            "AGORA_DATA_DIR": str(tmp_path),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    seen: list[str] = []
    try:
        for line in process.stdout:  # bounded by the server's start; the run's hang guard
            seen.append(line)
            if "Agora is ready" in line:
                break
        banner = seen[-1]
        assert f"http://127.0.0.1:{port}/docs" in banner, seen
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate()
    assert process.returncode == 130, [*seen, rest]  # 128 + SIGINT, as a shell reports it
    output = "".join(seen) + rest
    assert "Traceback" not in output
    assert "failed" not in output.lower()


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
