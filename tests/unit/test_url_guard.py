"""The SSRF guard of outbound webhooks, on literal addresses (no DNS needed)."""

import pytest

from domain.notifications.errors import UnsafeWebhookUrl
from infrastructure.http.url_guard import NetworkUrlGuard


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.1/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped
        "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
        "https://[64:ff9b:1::a9fe:a9fe]/hook",
        "https://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
        "https://[::127.0.0.1]/hook",  # IPv4-compatible
        "https://93.184.215.14:25/hook",  # a privileged port other than 443
        "https://93.184.215.14:0/hook",  # port 0 is not the default port
        "https://93.184.215.14:abc/hook",
        "https://[::1/hook",
        "https://user:secret@93.184.215.14/hook",
        "http://93.184.215.14/hook",
        "https:///hook",
    ],
)
async def test_urls_into_the_network_or_malformed_are_refused(url: str) -> None:
    with pytest.raises(UnsafeWebhookUrl):
        await NetworkUrlGuard().check(url)


async def test_a_public_address_is_pinned_with_its_name_kept_for_tls_and_host() -> None:
    pinned = await NetworkUrlGuard().pin("https://93.184.215.14:8443/hooks?x=1")
    assert pinned.url == "https://93.184.215.14:8443/hooks?x=1"
    assert (pinned.host_header, pinned.server_name) == ("93.184.215.14:8443", "93.184.215.14")
    v6 = await NetworkUrlGuard().pin("https://[2606:4700:4700::1111]/hook")
    assert v6.url == "https://[2606:4700:4700::1111]:443/hook"


async def test_http_to_localhost_only_when_allowed() -> None:
    with pytest.raises(UnsafeWebhookUrl):
        await NetworkUrlGuard().check("http://127.0.0.1:9000/hook")
    pinned = await NetworkUrlGuard(allow_http_localhost=True).pin("http://127.0.0.1:9000/hook")
    assert (pinned.url, pinned.server_name) == ("http://127.0.0.1:9000/hook", None)
