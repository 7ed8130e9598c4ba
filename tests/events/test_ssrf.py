"""The SSRF guard refuses private, loopback and link-local targets unless allow-listed."""

from __future__ import annotations

import pytest

from brokerhub.events.ssrf import UrlGuard, WebhookUrlRefused

REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.8.9.10:8080/hook",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://0.0.0.0/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://2130706433/hook",
    "http://0x7f000001/hook",
    "http://100.64.0.1/hook",
    "ftp://example.com/hook",
    "http://user:pass@93.184.216.34/hook",
    "not a url",
]


@pytest.mark.parametrize("url", REFUSED)
async def test_private_and_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(WebhookUrlRefused):
        await UrlGuard().check(url)


async def test_public_addresses_pass() -> None:
    await UrlGuard().check("https://93.184.216.34/hook")
    await UrlGuard().check("http://[2606:2800:220:1:248:1893:25c8:1946]:8443/hook")


async def test_the_allow_list_admits_only_its_networks() -> None:
    guard = UrlGuard(["127.0.0.1/32"])
    await guard.check("http://127.0.0.1:9000/hook")
    await guard.check("http://[::ffff:127.0.0.1]/hook")
    with pytest.raises(WebhookUrlRefused):
        await guard.check("http://127.0.0.2/hook")


async def test_the_connect_time_resolver_refuses_a_name_that_resolves_private() -> None:
    resolver = UrlGuard().resolver()
    try:
        with pytest.raises(OSError, match="loopback"):
            await resolver.resolve("localhost", 80)
    finally:
        await resolver.close()
