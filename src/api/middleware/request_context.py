"""Request ids: accept a sane incoming X-Request-ID or make one, expose it, return it."""

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.context import RequestContext, current_request

_SANE_ID = re.compile(r"^[A-Za-z0-9._\-]{8,128}$")
HEADER = "x-request-id"


class RequestContextMiddleware:
    """Outermost layer: everything below (logs, errors) can read the request id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        context = RequestContext(request_id=request_id)
        token = current_request.set(context)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_request.reset(token)
