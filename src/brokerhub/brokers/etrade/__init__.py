"""The E*TRADE broker: OAuth 1.0a and the v1 REST API (sandbox and production hosts).

Credentials: ``consumer_key``, ``consumer_secret``, ``oauth_token``, ``oauth_token_secret``
(from the OAuth handshake), optional ``sandbox`` (default true) and ``base_url``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from brokerhub.auth.oauth1 import OAuth1Config
from brokerhub.brokers.base import AuthMethod, Broker, BrokerSpec
from brokerhub.brokers.etrade.adapter import ETRADE_CAPABILITIES, ETradeAdapter
from brokerhub.brokers.etrade.auth import IDLE_TIMEOUT_SECONDS
from brokerhub.brokers.etrade.client import ETradeClient
from brokerhub.brokers.etrade.config import AUTHORIZE_URL, OAUTH_HOST, ETradeConfig

ETRADE_OAUTH = OAuth1Config(
    request_token_url=f"{OAUTH_HOST}/oauth/request_token",
    access_token_url=f"{OAUTH_HOST}/oauth/access_token",
    authorize_url=AUTHORIZE_URL,
    renew_url=f"{OAUTH_HOST}/oauth/renew_access_token",
    revoke_url=f"{OAUTH_HOST}/oauth/revoke_access_token",
    authorize_query=(("key", "{consumer_key}"), ("token", "{token}")),
    expires_at_market_midnight=True,
    idle_timeout_seconds=IDLE_TIMEOUT_SECONDS,
)
"""E*TRADE's OAuth 1.0a endpoints: tokens on api.etrade.com for sandbox and live alike."""


def create_etrade_broker(credentials: Mapping[str, Any]) -> Broker:
    """Return an ETradeAdapter for a connection's credentials."""
    return ETradeAdapter(ETradeClient(ETradeConfig.from_credentials(credentials)))


ETRADE_BROKER = BrokerSpec(
    name="etrade",
    display_name="E*TRADE",
    factory=create_etrade_broker,
    capabilities=ETRADE_CAPABILITIES,
    auth_method=AuthMethod.OAUTH1,
    required_fields=("consumer_key", "consumer_secret", "oauth_token", "oauth_token_secret"),
    optional_fields=("sandbox", "base_url"),
    api_documentation="https://apisb.etrade.com/docs/api/account/api-account-v1.html",
    is_live_capable=True,
    extra={"authorize_url": AUTHORIZE_URL},
    oauth=ETRADE_OAUTH,
)

__all__ = ["ETRADE_BROKER", "ETRADE_OAUTH", "ETradeAdapter", "ETradeClient", "create_etrade_broker"]
