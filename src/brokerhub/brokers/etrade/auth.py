"""Signing E*TRADE requests with OAuth 1.0a (HMAC-SHA1 in the Authorization header).

:class:`ETradeSigner` is the :class:`~brokerhub.brokers.http.RequestAuth` of the E*TRADE
client: the hub's :class:`~brokerhub.auth.tokens.OAuth1Session` with E*TRADE's lifetimes.
It signs every attempt with :class:`~brokerhub.auth.oauth1.OAuth1Signer` and, when the access
token has been idle for nearly two hours, first calls ``renew_access_token`` (E*TRADE
inactivates a token after 2 h without requests; it expires outright at midnight US Eastern,
after which only a new login helps: https://apisb.etrade.com/docs/api/authorization/).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from brokerhub.auth.oauth1 import OAuth1Signer, TokenPair
from brokerhub.auth.tokens import OAuth1Session, TokenStore

IDLE_TIMEOUT_SECONDS = 2 * 3600.0
"""E*TRADE deactivates an access token after two hours without a request."""


class ETradeSigner(OAuth1Session):
    """Sign requests for one access token, renewing it when it is about to go idle.

    Args:
        consumer_key: the application's consumer key.
        consumer_secret: the application's consumer secret.
        token: the access token.
        token_secret: the access token secret.
        renew: a coroutine that calls ``renew_access_token``; None never renews.
        expires_at: when the token dies (midnight US Eastern of the day it was issued).
        store: told when the token has expired (the connection then shows it).
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
        expires_at: datetime | None = None,
        store: TokenStore | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            OAuth1Signer(consumer_key, consumer_secret, TokenPair(token, token_secret)),
            renew=renew,
            expires_at=expires_at,
            idle_timeout_seconds=IDLE_TIMEOUT_SECONDS,
            store=store,
            monotonic=monotonic,
        )
