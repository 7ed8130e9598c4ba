"""An E*TRADE adapter connected to the emulator over loopback, through the OAuth handshake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

import anyio
import requests
from requests_oauthlib import OAuth1Session

from brokerhub.brokers.etrade import ETradeAdapter, ETradeClient
from brokerhub.brokers.etrade.config import ETradeConfig
from brokerhub.brokers.http import Timeouts
from brokerhub.emulators.etrade import ETradeEmulator, verifier_from_page
from brokerhub.emulators.serve import LoopbackServer
from brokerhub.sim.exchange import SimExchange

CONSUMER_KEY = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
CONSUMER_SECRET = "f9e8d7c6b5a4938271605f4e3d2c1b0a"


def login(base: str, key: str = CONSUMER_KEY, secret: str = CONSUMER_SECRET) -> dict[str, str]:
    """Run the oob OAuth 1.0a handshake against the emulator; return the access token pair."""
    session = OAuth1Session(key, secret, callback_uri="oob", signature_type="AUTH_HEADER")
    request_token = session.fetch_request_token(f"{base}/oauth/request_token")
    page = requests.get(
        f"{base}/e/t/etws/authorize",
        params={"key": key, "token": request_token["oauth_token"]},
        timeout=10,
    )
    session._client.client.verifier = verifier_from_page(page.text)
    tokens: dict[str, str] = session.fetch_access_token(f"{base}/oauth/access_token")
    return tokens


@asynccontextmanager
async def connected(
    exchange: SimExchange,
    *,
    starting_cash: Decimal = Decimal(100_000),
    timeouts: Timeouts | None = None,
) -> AsyncIterator[tuple[ETradeAdapter, ETradeEmulator]]:
    """Yield an adapter signed in to a fresh emulator over ``exchange`` (no rate limits)."""
    emulator = ETradeEmulator(
        exchange,
        consumers={CONSUMER_KEY: CONSUMER_SECRET},
        starting_cash=starting_cash,
        rate_limits=None,
    )
    with LoopbackServer(emulator) as server:
        tokens = await anyio.to_thread.run_sync(login, server.url)
        config = ETradeConfig.from_credentials(
            {
                "consumer_key": CONSUMER_KEY,
                "consumer_secret": CONSUMER_SECRET,
                "oauth_token": tokens["oauth_token"],
                "oauth_token_secret": tokens["oauth_token_secret"],
                "base_url": server.url,
            }
        )
        adapter = ETradeAdapter(ETradeClient(config, rate_limits={}, timeouts=timeouts))
        try:
            yield adapter, emulator
        finally:
            await adapter.close()
