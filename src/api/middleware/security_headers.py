"""Security headers on every response; the docs pages get a CSP that lets Swagger UI run. What
caches may keep is decided here too, for every response whose route did not say."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "geolocation=(), camera=(), microphone=()",
}
_API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc need their own scripts, inline bootstrap code, and blob: workers.
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)
_DOCS_PREFIXES = ("/docs", "/redoc", "/static/docs")
_CREDENTIALS = (b"authorization", b"x-api-key", b"cookie")
_SAFE_METHODS = ("GET", "HEAD")


def _cache_control(scope: Scope, status: int, chosen: str | None) -> str | None:
    """An answer to credentials is the caller's own: no cache keeps it, not even the browser's,
    whatever else the route chose (FastAPI marks event streams `no-cache`, which lets a cache
    store them). Tokens, writes and errors are never stored either (RFC 6749 §5.1). Otherwise
    a route's own choice stands, and an anonymous read that succeeded (the public catalog, the
    docs) is left to HTTP's defaults and its ETag."""
    if any(name in _CREDENTIALS for name, _ in scope["headers"]):
        return None if chosen is not None and "no-store" in chosen else "private, no-store"
    if chosen is None and (scope["method"] not in _SAFE_METHODS or status >= 400):
        return "no-store"
    return None


class SecurityHeadersMiddleware:
    """Adds headers a browser (and any cache between) needs to treat API responses safely."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith(_DOCS_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _COMMON.items():
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", _DOCS_CSP if docs else _API_CSP)
                if self.hsts:
                    headers.setdefault("strict-transport-security", "max-age=31536000")
                caching = _cache_control(scope, message["status"], headers.get("cache-control"))
                if caching is not None:
                    headers["cache-control"] = caching
                    headers.setdefault("pragma", "no-cache")  # HTTP/1.0 caches
            await send(message)

        await self.app(scope, receive, send_with_headers)
