"""Where mail goes: an SMTP server (aiosmtplib), a maildir of files (Python's `mailbox`, for
`make run`: each message one file a mail client or `less` can open), or the log (development
only). Each is the MailTransport port; the message is built the same way for all three."""

import asyncio
import logging
import mailbox
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib

from application.notifications.views import RenderedMail
from domain.notifications.mail import Mail
from domain.notifications.values import Attempt

log = logging.getLogger(__name__)


def sender_domain(sender: str) -> str:
    """The domain of a From (`Shop <shop@example.com>`: `example.com`), for Message-IDs."""
    _, at, domain = parseaddr(sender)[1].rpartition("@")
    return domain if at and domain else "agora.localhost"


def message_of(mail: Mail, rendered: RenderedMail, *, sender: str) -> EmailMessage:
    """A multipart/alternative message: the text body first, the HTML one preferred."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = rendered.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = formatdate(mail.created_at.timestamp(), usegmt=True)
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


class SmtpMailTransport:
    """Sends through the SMTP server of `url` (`smtp://[user:password@]host:port`, `smtps://`
    for TLS from the start); a refusal or a server that does not answer is a failed attempt,
    tried again later."""

    def __init__(self, url: str, *, sender: str, timeout_seconds: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("MAIL_URL must look like smtp://host:port or smtps://host:port")
        self._tls = parts.scheme == "smtps"
        self._host = parts.hostname
        self._port = parts.port or (465 if self._tls else 25)
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._sender = sender
        self._timeout = timeout_seconds

    async def send(self, mail: Mail, rendered: RenderedMail) -> Attempt:
        message = message_of(mail, rendered, sender=self._sender)
        try:
            _, answer = await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                use_tls=self._tls,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPResponseException as error:
            return Attempt(status_code=error.code, error=f"{error.code} {error.message}"[:500])
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            return Attempt(status_code=None, error=repr(error)[:500])
        return Attempt(status_code=_code(answer))


def _code(answer: str) -> int | None:
    head = answer.split(" ", 1)[0]
    return int(head) if head.isdigit() else 250


class MaildirMailTransport:
    """Writes each message as one file of a maildir (`new/`), made on first use."""

    def __init__(self, path: Path, *, sender: str) -> None:
        self.path = path
        self._sender = sender

    async def send(self, mail: Mail, rendered: RenderedMail) -> Attempt:
        message = message_of(mail, rendered, sender=self._sender)
        try:
            await asyncio.to_thread(self._add, message)
        except OSError as error:
            return Attempt(status_code=None, error=repr(error)[:500])
        return Attempt(status_code=None)

    def _add(self, message: EmailMessage) -> None:
        box = mailbox.Maildir(self.path, create=True)
        box.add(message)
        box.close()


class LoggedMailTransport:
    """Each message becomes one log record at INFO, its text body included (links too): in
    development the log is the inbox. Never in production."""

    def __init__(self, *, sender: str) -> None:
        self._sender = sender

    async def send(self, mail: Mail, rendered: RenderedMail) -> Attempt:
        log.info(
            "mail to %s: %s\n%s",
            mail.recipient,
            rendered.subject,
            rendered.text,
            extra={"mail_to": mail.recipient, "mail_template": mail.template},
        )
        return Attempt(status_code=None)
