"""Alpaca's key authentication: two headers on every request (alpaca-py common/rest.py)."""

from __future__ import annotations

from brokerhub.brokers.http import OutgoingRequest

KEY_ID_HEADER = "APCA-API-KEY-ID"
SECRET_HEADER = "APCA-API-SECRET-KEY"  # noqa: S105 - a header name, not a secret


class AlpacaKeyAuth:
    """Add ``APCA-API-KEY-ID`` and ``APCA-API-SECRET-KEY`` to each request.

    Args:
        key_id: the API key id.
        secret_key: the API secret key.
    """

    def __init__(self, key_id: str, secret_key: str) -> None:
        self._key_id = key_id
        self._secret_key = secret_key

    async def authorize(self, request: OutgoingRequest) -> None:
        """Set the two key headers."""
        request.headers[KEY_ID_HEADER] = self._key_id
        request.headers[SECRET_HEADER] = self._secret_key

    def stream_message(self) -> dict[str, object]:
        """Return the trade-updates stream's ``authenticate`` message."""
        return {
            "action": "authenticate",
            "data": {"key_id": self._key_id, "secret_key": self._secret_key},
        }
