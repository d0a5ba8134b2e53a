"""RFC 9457 problem details: the one shape of every error Agora answers."""

import json
from typing import Any

from pydantic import BaseModel, Field
from starlette.types import Send

from application.shared.context import current_correlation_id

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    """One invalid input."""

    field: str = Field(examples=["email"])
    location: str = Field(examples=["body"])
    message: str = Field(examples=["value is not a valid email address"])


class Problem(BaseModel):
    """An error, as RFC 9457 `application/problem+json`, plus a stable machine-readable code."""

    type: str = Field(examples=["urn:agora:problem:email-taken"])
    title: str = Field(examples=["Email already registered"])
    status: int = Field(examples=[409])
    detail: str = Field(examples=["ada@example.com is already registered"])
    instance: str = Field(examples=["/api/v1/users"])
    code: str = Field(examples=["email_taken"])
    request_id: str | None = Field(None, examples=["5f0c2b0e9c4b4e0f8a1d2c3b4a596877"])
    errors: list[FieldError] = Field(default_factory=list)


# Errors raised by the HTTP machinery itself (routing, body parsing, limits): their codes.
HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    431: "headers_too_large",
}

# The title of each status: an HTTP-level problem's, and a documented response's.
TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Validation failed",
    428: "Precondition required",
    429: "Too many requests",
    431: "Request headers too large",
    500: "Internal server error",
    503: "Service unavailable",
}


def http_problem(status: int) -> tuple[str, str]:
    """The stable code and title of an HTTP-level error."""
    return HTTP_CODES.get(status, f"http_{status}"), TITLES.get(status, "HTTP error")


def problem_body(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    instance: str,
    errors: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:agora:problem:{code.replace('_', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        "request_id": current_correlation_id(),
    }
    if errors:
        body["errors"] = errors
    return body


async def send_problem(
    send: Send, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    """Answer from pure ASGI middleware, before FastAPI's handlers are reached."""
    payload = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(payload)).encode()),
    ] + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": body["status"], "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
