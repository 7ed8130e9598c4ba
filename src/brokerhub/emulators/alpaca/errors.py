"""Alpaca's error answers: ``{"code": <8 digits>, "message": ...}`` with its HTTP statuses.

Codes as recorded from Alpaca (alpaca_elixir VCR cassettes, alpaca-py tests): 40310000 for
403 insufficient buying power or quantity, 40010001 for 422 malformed or refused requests,
40410000 for 404. 401 carries ``{"message": "unauthorized"}`` without a code. The 429 body
is not documented; the emulator sends ``{"code": 42910000, "message": "rate limit
exceeded"}`` (the code follows Alpaca's status-prefixed scheme) with ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from brokerhub.errors import (
    BrokerHubError,
    Conflict,
    InsufficientFunds,
    MarketClosed,
    NotFound,
)

CODE_INVALID = 40010001
CODE_FORBIDDEN = 40310000
CODE_NOT_FOUND = 40410000
CODE_RATE_LIMITED = 42910000


class AlpacaHttpError(Exception):
    """An error answer the emulator sends as is.

    Args:
        status: the HTTP status.
        body: the JSON body.
        headers: extra response headers (e.g. Retry-After).
    """

    def __init__(
        self, status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(str(body.get("message", status)))
        self.status = status
        self.body = dict(body)
        self.headers = dict(headers or {})


def invalid(message: str) -> AlpacaHttpError:
    """Return a 422 with Alpaca's invalid-request code."""
    return AlpacaHttpError(422, {"code": CODE_INVALID, "message": message})


def not_found(message: str) -> AlpacaHttpError:
    """Return a 404 with Alpaca's not-found code."""
    return AlpacaHttpError(404, {"code": CODE_NOT_FOUND, "message": message})


def unauthorized() -> AlpacaHttpError:
    """Return Alpaca's 401 for a missing or wrong key pair."""
    return AlpacaHttpError(401, {"message": "unauthorized"})


def from_sim(error: BrokerHubError, symbol: str) -> AlpacaHttpError:
    """Return Alpaca's answer to an order the simulator refused."""
    message = error.message
    if isinstance(error, InsufficientFunds):
        if "buying power" in message:
            return AlpacaHttpError(
                403, {"code": CODE_FORBIDDEN, "message": "insufficient buying power"}
            )
        return AlpacaHttpError(
            403,
            {
                "code": CODE_FORBIDDEN,
                "message": f"insufficient qty available for order ({message})",
            },
        )
    if isinstance(error, NotFound):
        return invalid(f'could not find asset "{symbol}"')
    if isinstance(error, Conflict) and "client order id" in message:
        return invalid("client_order_id must be unique")
    if isinstance(error, MarketClosed):
        return invalid(f"market is closed: {message}")
    return invalid(message)
