"""Signing secrets and the Standard Webhooks headers of a delivery.

Receivers verify with any Standard Webhooks library: the signed content is
``<webhook-id>.<webhook-timestamp>.<body>``, HMAC-SHA256 under the base64 secret after
``whsec_``, and the timestamp lets them refuse replays (5 minutes tolerance by default).
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime
from math import floor

from standardwebhooks.webhooks import Webhook

from brokerhub import __version__

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32


def new_secret() -> str:
    """Return a fresh signing secret, ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signed_headers(*, secret: str, message_id: str, body: str, at: datetime) -> dict[str, str]:
    """Return the request headers of one delivery attempt of ``body``, signed at ``at``."""
    signature = Webhook(secret).sign(msg_id=message_id, timestamp=at, data=body)
    return {
        "content-type": "application/json",
        "user-agent": f"brokerhub-webhooks/{__version__}",
        "webhook-id": message_id,
        "webhook-timestamp": str(floor(at.timestamp())),
        "webhook-signature": signature,
    }
