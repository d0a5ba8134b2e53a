"""ETags are the resource's version; If-Match names the version a change expects."""

from typing import Annotated, TypeVar

from fastapi import Header, Response

from api.schemas import SafeStr
from application.shared.errors import PreconditionFailed

T = TypeVar("T")

IfMatch = Annotated[
    SafeStr | None, Header(max_length=100, description='The ETag from a read, e.g. "3"')
]


def etag(version: int) -> str:
    return f'"{version}"'


def with_etag(response: Response, version: int, body: T) -> T:
    response.headers["ETag"] = etag(version)
    return body


def expected_version(if_match: str | None) -> int | None:
    """None when absent or `*`; the version otherwise; 412 for anything we never issued."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not (tag.isascii() and tag.isdecimal()):
        raise PreconditionFailed(f"If-Match {if_match!r} is not an ETag this service issued")
    return int(tag)
