"""Refuse webhook URLs that reach private, loopback or link-local addresses (SSRF guard).

A URL is checked when a webhook is saved and again on every delivery: its host is resolved
and every address must be public (``ipaddress``'s ``is_global``, IPv4-mapped IPv6 unwrapped)
or inside a network of ``Settings.webhook_allowed_networks``. Deliveries also resolve through
:class:`GuardedResolver`, so a name that turns private between the check and the connection
(DNS rebinding) is refused at connect time. Redirects are never followed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from brokerhub.errors import ValidationFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class WebhookUrlRefused(ValidationFailed):
    """The webhook URL is malformed or reaches an address that is not allowed."""


class UrlGuard:
    """Check webhook URLs against the public internet plus an allow-list.

    Args:
        allowed_networks: CIDRs admitted although not public (e.g. ``127.0.0.1/32`` in tests).
    """

    def __init__(self, allowed_networks: Iterable[str] = ()) -> None:
        try:
            self._allowed: list[IPNetwork] = [
                ipaddress.ip_network(cidr, strict=False) for cidr in allowed_networks
            ]
        except ValueError as exc:
            raise ValidationFailed(f"webhook_allowed_networks: {exc}") from None

    def check_address(self, address: str) -> None:
        """Refuse an IP address that is neither public nor allow-listed.

        Raises:
            WebhookUrlRefused: naming the address.
        """
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in network for network in self._allowed):
            return
        if not ip.is_global or ip.is_multicast:
            raise WebhookUrlRefused(
                f"webhook_url: resolves to {ip}, a private, loopback, link-local or reserved "
                "address"
            )

    async def check(self, url: str) -> None:
        """Refuse a URL that is not http(s) or whose host resolves to a refused address.

        Raises:
            WebhookUrlRefused: why the URL is refused.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise WebhookUrlRefused("webhook_url: must be an http:// or https:// URL with a host")
        if parts.username or parts.password:
            raise WebhookUrlRefused("webhook_url: must not carry credentials")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise WebhookUrlRefused("webhook_url: the port is not a number") from None
        for address in await _resolve(parts.hostname, port):
            self.check_address(address)

    def resolver(self) -> GuardedResolver:
        """Return an aiohttp resolver that drops refused addresses."""
        return GuardedResolver(self)


async def _resolve(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise WebhookUrlRefused(f"webhook_url: the host {host} does not resolve") from None
    return [str(info[4][0]) for info in infos]


class GuardedResolver(AbstractResolver):
    """Resolve like aiohttp's threaded resolver, refusing every address the guard refuses."""

    def __init__(self, guard: UrlGuard) -> None:
        self._guard = guard
        self._inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Return the host's addresses, or raise OSError if any of them is refused."""
        results = await self._inner.resolve(host, port, family)
        for result in results:
            try:
                self._guard.check_address(result["host"])
            except WebhookUrlRefused as exc:
                raise OSError(exc.message) from None
        return results

    async def close(self) -> None:
        """Close the inner resolver."""
        await self._inner.close()
