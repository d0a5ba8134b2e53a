"""Who and what caused the current piece of work: carried in a contextvar so that logs and the
event log's metadata can name the request, the actor and the trace without threading arguments
through every call."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class CallContext:
    """Mutable on purpose: authentication fills in the actor after the request started."""

    correlation_id: str
    actor_id: str | None = None
    causation_id: str | None = None
    traceparent: str | None = None


current_call: ContextVar[CallContext | None] = ContextVar("current_call", default=None)


def current_correlation_id() -> str | None:
    context = current_call.get()
    return None if context is None else context.correlation_id
