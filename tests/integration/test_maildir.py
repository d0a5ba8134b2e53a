"""`agora serve --with-worker` as `make run` starts it, with no mail setting: it says where
mail goes, and a password reset link lands there, in a maildir under the data directory that
Python's `mailbox` (or any mail client) reads."""

import mailbox
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.integration.test_cli import AGORA
from tests.support.servers import free_port
from tests.support.settings import TEST_JWT_SECRET

EMAIL = "maildir-reader@example.com"


def test_with_no_mail_setting_mail_lands_in_a_maildir_under_the_data_dir(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    port = free_port()
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "WORKER_", "MAIL_"))
    }
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [AGORA, "serve", "--with-worker"],
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
    maildir = tmp_path.resolve() / "mail"
    try:
        for line in process.stdout:  # bounded by the server's start; the run's hang guard
            seen.append(line)
            if "Agora is ready" in line:
                break
        assert any(f"maildir {maildir}" in line for line in seen), seen
        base = f"http://127.0.0.1:{port}"
        registered = httpx.post(
            f"{base}/api/v1/users",
            json={"email": EMAIL, "password": "a-long-enough-passphrase", "full_name": "M"},
        )
        assert registered.status_code == 201, registered.text
        asked = httpx.post(f"{base}/api/v1/auth/password-reset", json={"email": EMAIL})
        assert asked.status_code == 202
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list((maildir / "new").glob("*")):
            time.sleep(0.1)
        messages = list(mailbox.Maildir(maildir, create=False))
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate()
    [message] = messages
    assert message["To"] == EMAIL
    assert message["Subject"] == "Reset your password"
    assert "token=" in str(message)
