"""Refuses webhook URLs that would make Agora call into its own network (SSRF), and pins the
checked address for the connection itself, so a DNS answer that changes in between (rebinding)
cannot redirect it. Runs when a subscription is registered and before every delivery.

A URL must be https (http to localhost only if settings allow it, for development and tests),
carry no credentials, use port 443 or one above 1023, and resolve only to public addresses: not
private, loopback, link-local (169.254.169.254 is the cloud metadata service), multicast, reserved,
unspecified, nor an IPv6 form embedding an IPv4 one (NAT64, 6to4, IPv4-compatible or -mapped)."""

import asyncio
import contextlib
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from domain.notifications.errors import UnsafeWebhookUrl

LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# IPv6 ranges that carry an IPv4 address inside, which routers may translate and deliver.
EMBEDDING_IPV4 = tuple(
    ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "::/96")
)


@dataclass(frozen=True)
class PinnedUrl:
    """Where to connect (the checked address) and the name the server knows itself by."""

    url: str
    host_header: str
    server_name: str | None  # TLS server name (SNI and the certificate check); None for http


class NetworkUrlGuard:
    """The UrlGuard port, resolving the host itself; `pin` also gives the address to connect to."""

    def __init__(self, *, allow_http_localhost: bool = False) -> None:
        self._allow_local = allow_http_localhost

    async def check(self, url: str) -> None:
        await self.pin(url)

    async def pin(self, url: str) -> PinnedUrl:
        parts, host = _parse(url)
        local = self._allow_local and host in LOCAL_NAMES
        if parts.scheme != "https" and not (local and parts.scheme == "http"):
            raise UnsafeWebhookUrl("webhook URLs must use https")
        if local:
            return PinnedUrl(url=url, host_header=parts.netloc, server_name=None)
        port = 443 if parts.port is None else parts.port  # `:0` is port 0, not the default
        if port != 443 and port < 1024:
            raise UnsafeWebhookUrl(f"port {port} is not accepted; use 443 or one above 1023")
        addresses = await _addresses(host, port)
        for address in addresses:
            _refuse_internal(host, address)
        chosen = sorted(addresses, key=lambda a: (a.version, int(a)))[0]
        literal = f"[{chosen}]" if chosen.version == 6 else str(chosen)
        pinned = parts._replace(netloc=f"{literal}:{port}")
        return PinnedUrl(
            url=pinned.geturl(),
            host_header=host if port == 443 else f"{host}:{port}",
            server_name=host,
        )


def _parse(url: str) -> tuple[SplitResult, str]:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises on a port that is not a number in range
        host.encode("idna")
    except (ValueError, UnicodeError) as exc:
        raise UnsafeWebhookUrl(f"{url!r} is not a valid URL: {exc}") from None
    if not host:
        raise UnsafeWebhookUrl(f"{url!r} has no host")
    if parts.username or parts.password:
        raise UnsafeWebhookUrl("credentials in webhook URLs are not accepted")
    return parts, host


def _refuse_internal(host: str, address: IPAddress) -> None:
    embeds_ipv4 = isinstance(address, ipaddress.IPv6Address) and (
        address.ipv4_mapped is not None or any(address in n for n in EMBEDDING_IPV4)
    )
    if embeds_ipv4:
        raise UnsafeWebhookUrl(f"{host} resolves to {address}, which embeds an IPv4 address")
    if not address.is_global or address.is_multicast:
        raise UnsafeWebhookUrl(f"{host} resolves to {address}, inside the network")


async def _addresses(host: str, port: int) -> set[IPAddress]:
    with contextlib.suppress(ValueError):  # a literal address needs no resolving
        return {ipaddress.ip_address(host)}
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeWebhookUrl(f"{host} does not resolve: {exc}") from None
    return {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}
