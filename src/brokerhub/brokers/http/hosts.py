"""Where an adapter sends its requests: the broker's host, or an override.

Precedence: ``base_url`` among the connection's credentials, then the environment variable
``BROKERHUB_<BROKER>_BASE_URL``, then the adapter's default for the connection's environment.
This is how users and tests point brokerhub at an emulator or a broker's sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from brokerhub.config import broker_base_url_override
from brokerhub.errors import CredentialError

BASE_URL_FIELD = "base_url"


def resolve_base_url(
    broker: str, default: str, credentials: Mapping[str, Any] | None = None
) -> str:
    """Return the base URL for ``broker`` without a trailing slash.

    Raises:
        CredentialError: when the chosen URL is not an absolute http(s) URL.
    """
    chosen = (credentials or {}).get(BASE_URL_FIELD) or broker_base_url_override(broker) or default
    url = str(chosen).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CredentialError(f"{BASE_URL_FIELD} for {broker} must be an http(s) URL")
    return url
