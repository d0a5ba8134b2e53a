"""Sending mail: the worker's periodic round, as webhook deliveries are sent. Each message is
written once (by the log's mail subscriber, or by an account request) and tried until the
server accepts it or it runs out of attempts; the Message-ID it keeps lets a mailbox drop the
rare copy sent twice (a worker that dies after the server accepted, before the outcome is
recorded)."""

import asyncio
import logging
import random

from application.notifications import commands as c
from application.notifications.deps import MailDeps
from domain.notifications.mail import Mail
from domain.notifications.values import Attempt

log = logging.getLogger(__name__)


async def send_due_mail(cmd: c.SendDueMail, deps: MailDeps) -> int:
    now = deps.clock.now()
    async with deps.uow() as uow:
        leased = await uow.mail.lease(now=now, until=now + deps.lease, limit=cmd.batch)
        await uow.commit()
    await asyncio.gather(*(_send(mail, deps) for mail in leased))
    return len(leased)


async def _send(mail: Mail, deps: MailDeps) -> None:
    try:
        rendered = deps.renderer.render(mail.template, mail.context)
    except Exception as error:  # a template that cannot be filled in: recorded, retried
        attempt = Attempt(status_code=None, error=f"rendering failed: {error!r}"[:500])
    else:
        attempt = await deps.transport.send(mail, rendered)
    seen = (mail.attempts, mail.status)
    jitter = random.uniform(0.5, 1.0)  # noqa: S311 - spreads retries, not cryptography
    mail.record(attempt, now=deps.clock.now(), policy=deps.retry, jitter=jitter)
    async with deps.uow() as uow:
        await uow.mail.save(mail, seen=seen)
        await uow.commit()
    if attempt.error is not None:
        log.warning(
            "mail not sent",
            extra={"mail": str(mail.id), "attempt": mail.attempts, "error": attempt.error},
        )
