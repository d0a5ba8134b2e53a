"""The last line of defence: an unexpected exception becomes a 500 problem with the request id,
the traceback goes to the log, and nothing of it reaches the client."""

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_body, send_problem

log = logging.getLogger("agora.errors")


class UnhandledErrorMiddleware:
    """Catches what no exception handler took, so the server never sees it raw."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def note_start(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, note_start)
        except Exception:
            log.exception("unhandled error", extra={"path": scope["path"]})
            if started:
                raise
            body = problem_body(
                status=500,
                code="internal_error",
                title="Internal server error",
                detail="an unexpected error occurred; quote the request id when reporting it",
                instance=scope["path"],
            )
            await send_problem(send, body)
