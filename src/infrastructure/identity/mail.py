"""Mail to account holders, written to the application log: enough to develop and demonstrate
the verification flow. Sending it through SMTP is a later adapter of the same port."""

import logging

log = logging.getLogger(__name__)


class LoggedAccountMail:
    """Each message becomes one log record at INFO, link included: in development the log is
    the inbox. (A production log must not keep such links: replace this adapter first.)"""

    async def send_verification(self, *, email: str, link: str) -> None:
        log.info(
            "verification mail to %s: %s",
            email,
            link,
            extra={"mail_to": email, "mail_kind": "email-verification", "mail_link": link},
        )
