"""Request size limits: headers above a limit are refused with 431, bodies with 413, without
ever reading a body whole. (The server bounds a header block still arriving; see
`agora.server.http_options`.)"""

import re

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import http_problem, problem_body, send_problem


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a body without (or lying about) Content-Length grows too big."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")


class BodyLimitMiddleware:
    """Checks the headers' size and Content-Length up front, and counts streamed bytes for
    chunked bodies."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        max_header_bytes: int,
        uploads: tuple[str, ...] = (),
        upload_max_bytes: int = 0,
    ) -> None:
        self.app = app
        self.default_max_bytes = max_bytes
        self.max_header_bytes = max_header_bytes
        # Routes that take files (images, CSV imports) get their own, larger limit.
        self.uploads = [re.compile(pattern) for pattern in uploads]
        self.upload_max_bytes = upload_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header_bytes = sum(len(name) + len(value) for name, value in scope["headers"])
        if header_bytes > self.max_header_bytes:
            detail = f"the request headers exceed {self.max_header_bytes} bytes"
            await refuse(send, 431, detail, instance=scope["path"])
            return
        upload = any(pattern.match(scope["path"]) for pattern in self.uploads)
        max_bytes = self.upload_max_bytes if upload else self.default_max_bytes
        declared = Headers(scope=scope).getlist("content-length")
        if any(not value.isdigit() or int(value) > max_bytes for value in declared):
            detail = f"the request body exceeds {max_bytes} bytes"
            await refuse(send, 413, detail, instance=scope["path"])
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLarge(max_bytes)
            return message

        await self.app(scope, counting_receive, send)


async def refuse(send: Send, status: int, detail: str, *, instance: str) -> None:
    """Answer a request refused for its size, and close the connection (its body is unread)."""
    code, title = http_problem(status)
    body = problem_body(status=status, code=code, title=title, detail=detail, instance=instance)
    await send_problem(send, body, {"connection": "close"})
