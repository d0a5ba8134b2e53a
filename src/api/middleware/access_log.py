"""One structured access-log line per request. Paths only: query strings may carry secrets."""

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.shared.context import current_call

log = logging.getLogger("agora.access")


class NotingStatus:
    """A `send` that passes every message on and notes the response's status (500 until one
    starts: an answer that never began is counted as the failure it is)."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 500

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        await self._send(message)


class AccessLogMiddleware:
    """Logs method, path, status, duration, request id, user id and the SQL statements the
    request ran (ADR 0027) when the response ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        noted = NotingStatus(send)
        try:
            await self.app(scope, receive, noted)
        finally:
            context = current_call.get()
            client = scope.get("client")
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": noted.status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "request_id": context.correlation_id if context else None,
                    "user_id": context.actor_id if context else None,
                    "client": client[0] if client else None,
                    "db_statements": scope.get("state", {}).get("db_statements"),
                },
            )
