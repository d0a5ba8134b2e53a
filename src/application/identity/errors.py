"""Identity failures that are not domain rules."""

from application.shared.errors import ApplicationError


class WrongPassword(ApplicationError):
    """The caller is logged in, but the password they re-entered to confirm is wrong."""
