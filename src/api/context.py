"""Per-request context (request id, acting user) carried in a contextvar for logs and errors."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class RequestContext:
    """Mutable on purpose: the auth dependency fills in `user_id` for the access log."""

    request_id: str
    user_id: str | None = None


current_request: ContextVar[RequestContext | None] = ContextVar("current_request", default=None)


def current_request_id() -> str | None:
    context = current_request.get()
    return None if context is None else context.request_id
