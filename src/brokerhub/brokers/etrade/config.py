"""Where E*TRADE lives and how fast it may be called.

Data calls go to ``api.etrade.com`` (live) or ``apisb.etrade.com`` (sandbox); the OAuth
token endpoints are on ``api.etrade.com`` for both, and the authorize page on
``us.etrade.com`` (https://apisb.etrade.com/docs/api/authorization/). A ``base_url``
credential or ``BROKERHUB_ETRADE_BASE_URL`` sends everything to one host instead (an emulator).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from brokerhub.auth.tokens import TOKEN_STORE_FIELD, TokenStore
from brokerhub.brokers.http import RateLimit, resolve_base_url
from brokerhub.errors import CredentialError

LIVE_HOST = "https://api.etrade.com"
SANDBOX_HOST = "https://apisb.etrade.com"
OAUTH_HOST = LIVE_HOST
AUTHORIZE_URL = "https://us.etrade.com/e/t/etws/authorize"

ETRADE_RATE_LIMITS: Mapping[str, tuple[RateLimit, ...]] = {
    # E*TRADE's developer guide (v0 era, the only published numbers): per user and module,
    # per second and per hour, so windows (over them it answers HTTP 400, not 429).
    "accounts": (RateLimit(2, 1.0), RateLimit(7000, 3600.0)),
    "market": (RateLimit(4, 1.0), RateLimit(14000, 3600.0)),
    "order": (RateLimit(2, 1.0), RateLimit(7000, 3600.0)),
}


@dataclass(frozen=True)
class ETradeConfig:
    """One connection's E*TRADE settings.

    Attributes:
        consumer_key: the application's key (different keys for sandbox and live).
        consumer_secret: the application's secret.
        oauth_token: the access token.
        oauth_token_secret: the access token secret.
        sandbox: whether data calls go to the sandbox host.
        data_url: the host of ``/v1`` calls.
        oauth_url: the host of ``/oauth`` calls.
        token_expires_at: when the access token dies (``oauth_token_expires_at``), if known.
        token_store: where the connection's tokens live (set by the hub's adapter pool).
    """

    consumer_key: str
    consumer_secret: str
    oauth_token: str
    oauth_token_secret: str
    sandbox: bool
    data_url: str
    oauth_url: str
    token_expires_at: datetime | None = None
    token_store: TokenStore | None = None

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any]) -> ETradeConfig:
        """Return the config of a connection's credentials.

        Raises:
            CredentialError: a required field is missing (the message names it).
        """
        fields = ("consumer_key", "consumer_secret", "oauth_token", "oauth_token_secret")
        for name in fields:
            if not credentials.get(name):
                raise CredentialError(f"E*TRADE credentials need {name}")
        sandbox = str(credentials.get("sandbox", credentials.get("use_sandbox", True))).lower()
        is_sandbox = sandbox not in {"false", "0", "no"}
        default = SANDBOX_HOST if is_sandbox else LIVE_HOST
        data_url = resolve_base_url("etrade", default, credentials)
        oauth_url = data_url if data_url != default else OAUTH_HOST
        expires = credentials.get("oauth_token_expires_at")
        return cls(
            consumer_key=str(credentials["consumer_key"]),
            consumer_secret=str(credentials["consumer_secret"]),
            oauth_token=str(credentials["oauth_token"]),
            oauth_token_secret=str(credentials["oauth_token_secret"]),
            sandbox=is_sandbox,
            data_url=data_url,
            oauth_url=oauth_url,
            token_expires_at=datetime.fromisoformat(str(expires)) if expires else None,
            token_store=credentials.get(TOKEN_STORE_FIELD),
        )
