"""Alpaca's hosts, limits and credential fields.

Hosts from alpaca-py (alpaca/common/enums.py ``BaseURL``): paper trading
``https://paper-api.alpaca.markets``, live ``https://api.alpaca.markets``, market data
``https://data.alpaca.markets``; the trade-updates stream is ``/stream`` on the trading host.
The Trading API allows 200 requests per minute per account (docs.alpaca.markets, API rate
limits); the free market-data plan also allows 200 per minute. Alpaca counts them in a window
(``X-RateLimit-Reset`` is when "the current window resets"), so they are declared as
:class:`RateLimit` windows, not token buckets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from brokerhub.brokers.http import RateLimit, resolve_base_url
from brokerhub.config import broker_base_url_override
from brokerhub.errors import CredentialError

BROKER = "alpaca"
PAPER_URL = "https://paper-api.alpaca.markets"
LIVE_URL = "https://api.alpaca.markets"
DATA_URL = "https://data.alpaca.markets"

KEY_ID_FIELD = "api_key_id"
SECRET_FIELD = "api_secret_key"  # noqa: S105 - a field name, not a secret
ENVIRONMENT_FIELD = "environment"
DATA_URL_FIELD = "data_base_url"
PAPER = "paper"
PRODUCTION = "production"

TRADING_FAMILY = "trading"
DATA_FAMILY = "data"
RATE_LIMITS = {
    TRADING_FAMILY: (RateLimit.per_minute(200),),
    DATA_FAMILY: (RateLimit.per_minute(200),),
}


@dataclass(frozen=True)
class AlpacaConfig:
    """Where and as whom an adapter talks to Alpaca.

    Attributes:
        key_id: the API key id (``APCA-API-KEY-ID``).
        secret_key: the API secret (``APCA-API-SECRET-KEY``).
        trading_url: the Trading API origin (paths start with ``/v2``).
        data_url: the Market Data API origin.
        is_live: whether this is the real-money host.
    """

    key_id: str
    secret_key: str
    trading_url: str
    data_url: str
    is_live: bool

    @property
    def stream_url(self) -> str:
        """Return the trade-updates WebSocket URL (``ws(s)://<trading host>/stream``)."""
        return "ws" + self.trading_url.removeprefix("http") + "/stream"


def _text(credentials: Mapping[str, Any], name: str) -> str:
    value = credentials.get(name)
    if not isinstance(value, str) or not value.strip():
        raise CredentialError(f"alpaca needs {name}", broker=BROKER)
    return value.strip()


def load_config(credentials: Mapping[str, Any]) -> AlpacaConfig:
    """Return the configuration of a connection's credentials.

    ``environment`` is ``paper`` (default) or ``production``; ``base_url`` (or
    ``BROKERHUB_ALPACA_BASE_URL``) points the trading API elsewhere, e.g. at the emulator,
    and then market data too unless ``data_base_url`` says otherwise.

    Raises:
        CredentialError: a missing key field or an unknown environment.
    """
    environment = credentials.get(ENVIRONMENT_FIELD) or PAPER
    if environment not in {PAPER, PRODUCTION}:
        raise CredentialError(
            f"alpaca environment must be {PAPER!r} or {PRODUCTION!r}", broker=BROKER
        )
    is_live = environment == PRODUCTION
    trading_url = resolve_base_url(BROKER, LIVE_URL if is_live else PAPER_URL, credentials)
    overridden = trading_url not in {PAPER_URL, LIVE_URL}
    data_default = trading_url if overridden else DATA_URL
    data_url = (
        credentials.get(DATA_URL_FIELD)
        or broker_base_url_override(f"{BROKER}_data")
        or data_default
    )
    return AlpacaConfig(
        key_id=_text(credentials, KEY_ID_FIELD),
        secret_key=_text(credentials, SECRET_FIELD),
        trading_url=trading_url,
        data_url=str(data_url).rstrip("/"),
        is_live=is_live,
    )
