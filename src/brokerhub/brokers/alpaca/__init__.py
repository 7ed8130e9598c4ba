"""Alpaca: Trading API v2 and Market Data v2 with API key headers, paper or live.

Credentials: ``api_key_id`` and ``api_secret_key`` (required); ``environment`` (``paper``,
the default, or ``production`` for real money), ``base_url`` (another trading host, e.g. the
emulator of ``brokerhub sandbox alpaca``) and ``data_base_url`` (optional).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from brokerhub.brokers.alpaca.adapter import ALPACA_CAPABILITIES, AlpacaAdapter
from brokerhub.brokers.alpaca.config import (
    DATA_URL_FIELD,
    ENVIRONMENT_FIELD,
    KEY_ID_FIELD,
    SECRET_FIELD,
    load_config,
)
from brokerhub.brokers.base import AuthMethod, Broker, BrokerSpec
from brokerhub.brokers.http import BASE_URL_FIELD


def create_alpaca_broker(credentials: Mapping[str, Any]) -> AlpacaAdapter:
    """Return an adapter for a connection's credentials.

    Raises:
        CredentialError: a key is missing or the environment is unknown.
    """
    return AlpacaAdapter(load_config(credentials))


def _factory(credentials: Mapping[str, Any]) -> Broker:
    return create_alpaca_broker(credentials)


ALPACA_BROKER = BrokerSpec(
    name="alpaca",
    display_name="Alpaca",
    factory=_factory,
    capabilities=ALPACA_CAPABILITIES,
    auth_method=AuthMethod.API_KEY_SECRET,
    required_fields=(KEY_ID_FIELD, SECRET_FIELD),
    optional_fields=(BASE_URL_FIELD, ENVIRONMENT_FIELD, DATA_URL_FIELD),
    api_documentation="https://docs.alpaca.markets/reference",
    is_live_capable=True,
)

__all__ = ["ALPACA_BROKER", "AlpacaAdapter", "create_alpaca_broker"]
