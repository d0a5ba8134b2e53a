"""A real SMTP server for tests: aiosmtpd in this process (its own thread and loop), on a free
port, keeping every message it accepts; it can be stopped and started again on the same port
to play an outage."""

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.servers import free_port


class Inbox:
    """What the server accepted, parsed, in order of arrival."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, recipient: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == recipient]

    async def wait_for(self, count: int, *, recipient: str | None = None) -> list[EmailMessage]:
        """Wait until `count` messages (to `recipient`) arrived; fail after a while."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = self.messages if recipient is None else self.to(recipient)
            if len(found) >= count:
                return list(found)
            await asyncio.sleep(0.05)
        raise AssertionError(f"{count} mail(s) never arrived; got {self.messages}")


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    inbox = Inbox()
    inbox.start()
    try:
        yield inbox
    finally:
        inbox.stop()


def bodies(message: EmailMessage) -> tuple[str, str]:
    """The text and HTML bodies of a multipart/alternative message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, message
    return str(text.get_content()), str(html.get_content())
