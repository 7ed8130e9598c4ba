"""Signing E*TRADE requests with OAuth 1.0a (HMAC-SHA1 in the Authorization header).

:class:`ETradeSigner` is the :class:`~brokerhub.brokers.http.RequestAuth` of the E*TRADE
client: it signs every attempt with authlib's OAuth 1.0a signer and, when the access token
has been idle for nearly two hours, first calls ``renew_access_token`` (E*TRADE inactivates
a token after 2 h without requests; it expires outright at midnight US Eastern, after
which only a new login helps: https://apisb.etrade.com/docs/api/authorization/).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from authlib.oauth1 import ClientAuth  # type: ignore[import-untyped]

from brokerhub.brokers.http import OutgoingRequest

IDLE_RENEW_SECONDS = 2 * 3600 - 300
"""Renew once the token has been idle this long (five minutes before E*TRADE's two hours)."""


class ETradeSigner:
    """Sign requests for one access token, renewing it when it is about to go idle.

    Args:
        consumer_key: the application's consumer key.
        consumer_secret: the application's consumer secret.
        token: the access token.
        token_secret: the access token secret.
        renew: a coroutine that calls ``renew_access_token``; None never renews.
        monotonic: the clock idle time is measured with.
    """

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        token: str,
        token_secret: str,
        *,
        renew: Callable[[], Awaitable[None]] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._auth = ClientAuth(
            consumer_key, consumer_secret, token=token, token_secret=token_secret
        )
        self._renew = renew
        self._monotonic = monotonic
        self._last_used = monotonic()
        self._lock = asyncio.Lock()
        self._renewing = False

    async def authorize(self, request: OutgoingRequest) -> None:
        """Add the OAuth Authorization header to ``request``."""
        if self._renew is not None and not self._renewing:
            async with self._lock:
                if self._monotonic() - self._last_used >= IDLE_RENEW_SECONDS:
                    self._renewing = True
                    try:
                        await self._renew()
                    finally:
                        self._renewing = False
        self._last_used = self._monotonic()
        body = request.body if request.form is not None else b""
        _, headers, _ = self._auth.sign(request.method, request.url, dict(request.headers), body)
        request.headers["Authorization"] = headers["Authorization"]
