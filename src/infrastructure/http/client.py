"""The process's one outbound HTTP client."""

import httpx


def shared_http_client(*, timeout_seconds: float) -> httpx.AsyncClient:
    """The worker's one client: pooled connections, bounded timeouts, no redirects, and no
    proxy taken from the environment (a proxy would resolve names after our check)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 3.0)),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        follow_redirects=False,
        trust_env=False,
    )
