"""Alpaca's error answers mapped onto the hub's error tree, as tables.

Bodies are ``{"code": <8 digits>, "message": ...}``; the first three digits repeat the HTTP
status. Codes seen in Alpaca's recorded answers: 40310000 (403, insufficient buying power or
quantity), 40010001 (422, invalid request, e.g. ``could not find asset``), 40410000 (404).
A 401 carries only ``{"message": "unauthorized"}``. Whatever the tables miss falls back to
the shared status table of :mod:`brokerhub.brokers.http.errors`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from brokerhub.brokers.alpaca.config import BROKER
from brokerhub.brokers.alpaca.schemas import AlpacaError
from brokerhub.brokers.http import HttpResponse, parse_retry_after
from brokerhub.brokers.http.errors import raw_body
from brokerhub.errors import (
    AuthenticationFailed,
    BrokerHubError,
    Conflict,
    InsufficientFunds,
    InvalidOrder,
    NotFound,
    PermissionDenied,
    RateLimited,
)

ALPACA_CODE_ERRORS: Mapping[int, type[BrokerHubError]] = {
    40310000: PermissionDenied,  # InsufficientFunds when the message says "insufficient"
    40010001: InvalidOrder,
    40410000: NotFound,
    42210000: Conflict,  # e.g. "order is not cancelable"
}
ALPACA_STATUS_ERRORS: Mapping[int, type[BrokerHubError]] = {
    401: AuthenticationFailed,
    403: PermissionDenied,
    404: NotFound,
    422: InvalidOrder,
}


def map_error(response: HttpResponse) -> BrokerHubError | None:
    """Return the hub error of an Alpaca error answer, or None to use the status table."""
    raw = raw_body(response)
    if response.status == 429:
        return RateLimited(
            "alpaca rate limit exceeded",
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            broker=BROKER,
            raw=raw,
        )
    try:
        error = AlpacaError.model_validate(json.loads(response.body))
    except ValueError:
        return None
    error_class = ALPACA_CODE_ERRORS.get(error.code or 0) or ALPACA_STATUS_ERRORS.get(
        response.status
    )
    if error_class is None:
        return None
    if error_class is PermissionDenied and "insufficient" in error.message:
        error_class = InsufficientFunds
    code = str(error.code) if error.code is not None else None
    message = f"alpaca: {error.message or f'HTTP {response.status}'}"
    return error_class(message, broker=BROKER, broker_code=code, raw=raw)
