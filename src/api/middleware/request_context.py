"""Request ids: accept a sane incoming X-Request-ID or make one, expose it, return it.

The id becomes the correlation id of everything the request causes: log lines, problem
responses, and the metadata of the events it appends. A valid W3C `traceparent` is kept too."""

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.shared.context import CallContext, current_call

_SANE_ID = re.compile(r"^[A-Za-z0-9._\-]{8,128}$")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
HEADER = "x-request-id"


class RequestContextMiddleware:
    """Outermost layer: everything below (logs, errors, events) can read the request id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        traceparent = headers.get(b"traceparent", b"").decode("latin-1")
        context = CallContext(
            correlation_id=request_id,
            traceparent=traceparent if _TRACEPARENT.match(traceparent) else None,
        )
        token = current_call.set(context)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_call.reset(token)
