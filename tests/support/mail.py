"""A real SMTP server for tests: aiosmtpd in this process (its own thread and loop), on a free
port, keeping every message it accepts; it can be stopped and started again on the same port
to play an outage."""

import asyncio
import re
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from agora.settings import MailSettings, Settings
from application.notifications.commands import SendDueMail
from tests.support.servers import free_port
from tests.support.shop import Shop

MailShopFactory = Callable[..., AbstractAsyncContextManager[Shop]]


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
    assert text is not None, message
    assert html is not None, message
    return str(text.get_content()), str(html.get_content())


def with_mail(settings: Settings, inbox: Inbox) -> Settings:
    """The settings, with mail sent to the test's SMTP server."""
    return settings.model_copy(
        update={"mail": MailSettings(backend="smtp", url=inbox.url, timeout_seconds=5)}
    )


async def mail_to(shop: Shop, inbox: Inbox, recipient: str, count: int = 1) -> EmailMessage:
    """Run one round of the worker's mail sender, and the newest of `count` mails to
    `recipient`."""
    await shop.services.bus.handle(SendDueMail())
    return (await inbox.wait_for(count, recipient=recipient))[-1]


def token_in(message: EmailMessage) -> str:
    """The token of the link in a mail's text body (the HTML body has the same link)."""
    text, html = bodies(message)
    found = re.search(r"token=([A-Za-z0-9_\-]+)", text)
    assert found is not None, text
    assert f"token={found.group(1)}" in html
    return found.group(1)
