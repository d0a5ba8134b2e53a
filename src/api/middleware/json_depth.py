"""Refuse a JSON request body nested deeper than `bounded_json.MAX_DEPTH` with a 422, before
FastAPI's parser (which recurses once per level) ever sees it."""

from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.middleware.body_limit import BodyTooLarge, refuse
from api.problems import problem_body, send_problem
from application.shared import bounded_json


class JsonDepthMiddleware:
    """Reads a body declared as JSON (already bounded by BodyLimitMiddleware, outside it), checks
    its nesting, and hands the same bytes on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _declares_json(scope):
            await self.app(scope, receive, send)
            return
        try:
            body = await _read(receive)
        except BodyTooLarge as exc:
            await refuse(send, 413, exc.detail, instance=scope["path"])
            return
        try:
            bounded_json.check_depth(body.decode("utf-8", errors="replace"))
        except bounded_json.TooDeep as exc:
            await send_problem(send, _too_deep(str(exc), scope["path"]))
            return
        await self.app(scope, _replay(body, receive), send)


def _declares_json(scope: Scope) -> bool:
    """Any Content-Type naming JSON counts: with several, which one a parser believes is its
    own business."""
    for value in Headers(scope=scope).getlist("content-type"):
        media_type = value.split(";")[0].strip().lower()
        if media_type == "application/json" or media_type.endswith("+json"):
            return True
    return False


async def _read(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # what follows the body: the client's disconnect
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _too_deep(message: str, path: str) -> dict[str, Any]:
    """The answer FastAPI gives a body that is not JSON: 422 naming the body."""
    return problem_body(
        status=422,
        code="validation_failed",
        title="Validation failed",
        detail="1 field(s) failed validation",
        instance=path,
        errors=[{"field": "body", "location": "body", "message": message}],
    )
