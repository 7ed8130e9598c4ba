"""Token lifecycle: renew or refresh before use, write back encrypted, ask for re-authorization.

Two request authorizers (each a ``RequestAuth`` of the HTTP stack, one per connection):

- :class:`OAuth1Session`: E*TRADE-style access tokens that die at midnight US Eastern
  (:func:`oauth1_expires_at`) and go inactive after two idle hours. The token is renewed
  before a request when it has been idle nearly that long; after its expiry nothing is sent.
- :class:`OAuth2Session`: bearer tokens refreshed ``refresh_margin`` before they expire,
  single-flight (one refresh at a time per connection, later callers reuse its result), and
  the rotated refresh token is saved encrypted before the new access token is used, so a crash
  cannot lose it (RFC 9700 section 4.14).

When a token can no longer be renewed, the :class:`TokenStore` is told: for a stored connection
(:class:`brokerhub.connections.credentials.ConnectionTokenStore`) its status becomes ``error``
with ``last_error`` starting with :data:`REAUTHORIZATION_REQUIRED`, which the API, the CLI and
the auth status route show.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, NoReturn, Protocol

from brokerhub.auth.oauth1 import OAuth1Signer
from brokerhub.auth.oauth2 import OAuth2Client, OAuth2Tokens
from brokerhub.brokers.http import OutgoingRequest
from brokerhub.core.clock import next_market_midnight, utcnow
from brokerhub.errors import ReauthorizationRequired

TOKEN_STORE_FIELD = "_token_store"  # noqa: S105 - a field name, not a secret
"""Credentials key under which the pool hands an adapter its connection's :class:`TokenStore`."""
REAUTHORIZATION_REQUIRED = "Re-authorization required"
IDLE_RENEW_MARGIN_SECONDS = 300.0
"""Renew this long before the idle limit (E*TRADE: at 1 h 55 min of its 2 h)."""


def reauthorization_message(brokerage_name: str, reason: str) -> str:
    """Return the ``last_error`` of a connection whose user must authorize again."""
    return f"{REAUTHORIZATION_REQUIRED}: {reason}. Connect {brokerage_name} again."


OAUTH1_EXPIRES_AT_FIELD = "oauth_token_expires_at"
"""Credentials key of an OAuth 1.0a access token's end, where the broker ends it by the clock."""


def oauth1_expires_at(issued_at: datetime) -> datetime:
    """Return when an E*TRADE-style access token issued at ``issued_at`` dies (midnight ET)."""
    return next_market_midnight(issued_at)


class TokenStore(Protocol):
    """Where one connection's tokens live."""

    async def load(self) -> dict[str, Any]:
        """Return the stored credentials."""
        ...

    async def save(self, updates: Mapping[str, Any]) -> None:
        """Merge ``updates`` into the stored credentials (encrypted)."""
        ...

    async def reauthorization_required(self, reason: str) -> None:
        """Record that the user must authorize again, and why."""
        ...


class OAuth1Session:
    """Sign with an OAuth 1.0a access token, renewing it when idle and refusing it when expired.

    Args:
        signer: signs with the access token.
        renew: calls the broker's renew endpoint; None never renews.
        expires_at: when the token dies (None: unknown, the broker will say).
        idle_timeout_seconds: inactivity after which the broker deactivates the token.
        store: told when the token has expired.
        clock: now (UTC), for the expiry.
        monotonic: the clock idle time is measured with.
    """

    def __init__(
        self,
        signer: OAuth1Signer,
        *,
        renew: Callable[[], Awaitable[None]] | None = None,
        expires_at: datetime | None = None,
        idle_timeout_seconds: float | None = None,
        store: TokenStore | None = None,
        clock: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._signer = signer
        self._renew = renew
        self._expires_at = expires_at
        self._idle_limit = (
            None
            if idle_timeout_seconds is None
            else max(0.0, idle_timeout_seconds - IDLE_RENEW_MARGIN_SECONDS)
        )
        self._store = store
        self._clock = clock
        self._monotonic = monotonic
        self._last_used = monotonic()
        self._lock = asyncio.Lock()
        self._renewing = False

    async def authorize(self, request: OutgoingRequest) -> None:
        """Renew first if due, then add the Authorization header to ``request``.

        Raises:
            ReauthorizationRequired: the access token has expired.
        """
        if self._expires_at is not None and self._clock() >= self._expires_at:
            reason = "the access token expired at midnight US Eastern"
            if self._store is not None:
                await self._store.reauthorization_required(reason)
            raise ReauthorizationRequired(reason[0].upper() + reason[1:])
        if self._renew is not None and self._idle_limit is not None and not self._renewing:
            async with self._lock:
                if self._monotonic() - self._last_used >= self._idle_limit:
                    self._renewing = True
                    try:
                        await self._renew()
                    finally:
                        self._renewing = False
        self._last_used = self._monotonic()
        await self._signer.authorize(request)

    async def refused(self, error: ReauthorizationRequired) -> None:
        """Mark the connection when the broker refused the token (expired or revoked)."""
        if self._store is not None:
            await self._store.reauthorization_required(
                f"the broker refused the access token ({error.broker_code or 'expired'})"
            )


class OAuth2Session:
    """Authorize with a bearer token, refreshed before it expires, single-flight.

    Args:
        client: the broker's OAuth 2.0 client.
        tokens: the current tokens.
        store: where refreshed tokens are saved and re-authorization is recorded.
        clock: now (UTC).
    """

    def __init__(
        self,
        client: OAuth2Client,
        tokens: OAuth2Tokens,
        *,
        store: TokenStore | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._client = client
        self._tokens = tokens
        self._store = store
        self._clock = clock
        self._margin = timedelta(seconds=client.config.refresh_margin_seconds)
        self._lock = asyncio.Lock()

    @property
    def tokens(self) -> OAuth2Tokens:
        """Return the tokens in use."""
        return self._tokens

    def _due(self, tokens: OAuth2Tokens) -> bool:
        return tokens.expires_within(self._margin, self._clock())

    async def authorize(self, request: OutgoingRequest) -> None:
        """Refresh first if due, then add ``Authorization: Bearer`` to ``request``."""
        if self._due(self._tokens):
            await self.refresh()
        request.headers["Authorization"] = f"Bearer {self._tokens.access_token}"

    async def refresh(self, *, force: bool = False) -> OAuth2Tokens:
        """Return fresh tokens: one refresh at a time, saved before they are used.

        Args:
            force: refresh even if the access token is not yet due (after a 401).

        Raises:
            ReauthorizationRequired: no refresh token, or the server rejected it.
        """
        stale = self._tokens
        async with self._lock:
            if self._tokens is not stale or (not force and not self._due(stale)):
                return self._tokens  # another caller refreshed while this one waited
            if self._store is not None:
                stored = OAuth2Tokens.from_credentials(await self._store.load())
                if stored.access_token != stale.access_token and not self._due(stored):
                    self._tokens = stored  # another process refreshed already
                    return stored
            if stale.refresh_token is None:
                await self._reauthorize("the access token expired and there is no refresh token")
            try:
                fresh = await self._client.refresh(
                    str(stale.refresh_token), stale.refresh_expires_at
                )
            except ReauthorizationRequired:
                await self._reauthorize("the broker rejected the refresh token")
            if self._store is not None:
                await self._store.save(fresh.as_credentials())
            self._tokens = fresh
            return fresh

    async def refused(self, error: ReauthorizationRequired) -> None:
        """Mark the connection when the broker refused the token for good."""
        if self._store is not None:
            await self._store.reauthorization_required("the broker refused the access token")

    async def _reauthorize(self, reason: str) -> NoReturn:
        if self._store is not None:
            await self._store.reauthorization_required(reason)
        raise ReauthorizationRequired(reason[0].upper() + reason[1:])
