"""Identity's AccountMail port served by the mail outbox: a verification or password reset
link becomes a queued mail, sent by the worker as order mail is. The link travels in the mail
row alone (never in the event log) and is forgotten once the mail is sent."""

import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared.clock import Clock
from domain.notifications.mail import Mail
from infrastructure.notifications.repositories import SqlMailRepository


class OutboxAccountMail:
    """Queues each account mail in a transaction of its own, right after identity's commit
    (a mail lost between the two costs the customer a second request, never a dead token)."""

    def __init__(self, engine: AsyncEngine, *, clock: Clock, domain: str) -> None:
        self._engine = engine
        self._clock = clock
        self._domain = domain

    async def send_verification(self, *, email: str, link: str) -> None:
        await self._queue("email_verification", email=email, link=link)

    async def send_password_reset(self, *, email: str, link: str) -> None:
        await self._queue("password_reset", email=email, link=link)

    async def _queue(self, template: str, *, email: str, link: str) -> None:
        mail = Mail.queue(
            id=uuid.uuid4(),
            event_id=None,
            template=template,
            recipient=email,
            context={"link": link},
            domain=self._domain,
            now=self._clock.now(),
        )
        async with self._engine.begin() as conn:
            await SqlMailRepository(conn).add(mail)
