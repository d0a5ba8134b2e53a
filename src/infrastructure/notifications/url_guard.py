"""Refuses webhook URLs that would make Agora call into its own network (SSRF).

A URL must be https (http only to localhost, and only when settings allow it, for local
development and tests), and every address its host resolves to must be public: not private,
loopback, link-local (169.254.169.254 is the cloud metadata service), multicast, reserved or
unspecified. The check runs when a subscription is registered and again before every delivery,
because DNS answers change; redirects are never followed."""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from domain.notifications.webhooks import UnsafeWebhookUrl

LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


class NetworkUrlGuard:
    def __init__(self, *, allow_http_localhost: bool = False) -> None:
        self._allow_local = allow_http_localhost

    async def check(self, url: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not host:
            raise UnsafeWebhookUrl(f"{url!r} has no host")
        if parts.username or parts.password:
            raise UnsafeWebhookUrl("credentials in webhook URLs are not accepted")
        local = self._allow_local and host in LOCAL_NAMES
        if parts.scheme != "https" and not (local and parts.scheme == "http"):
            raise UnsafeWebhookUrl("webhook URLs must use https")
        if local:
            return
        for resolved in await _addresses(host, parts.port or 443):
            mapped = getattr(resolved, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is 127.0.0.1
            address = mapped or resolved
            if not address.is_global or address.is_multicast:
                raise UnsafeWebhookUrl(f"{host} resolves to {address}, inside the network")


async def _addresses(host: str, port: int) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return {literal}
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UnsafeWebhookUrl(f"{host} does not resolve: {exc}") from None
    return {ipaddress.ip_address(info[4][0]) for info in infos}
