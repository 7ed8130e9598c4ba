"""E*TRADE error answers mapped onto the hub's error tree, as a table.

E*TRADE answers API errors with ``{"Error": {"code", "message"}}`` (XML ``<Error>``) and
OAuth failures with an HTML 401 page naming ``oauth_problem=...`` (jessecooper/pyetrade
issues #4, #5, #38, #55); over the rate limit it answers HTTP 400 with an HTML page, which
brokers/http maps to RateLimited. Codes from https://apisb.etrade.com/docs/api/account/
api-transaction-v1.html and /docs/api/order/api-order-v1.html; order rejections carry no
published codes, so they are recognised by their message.
"""

from __future__ import annotations

import re

from brokerhub.brokers.etrade.parse import BROKER
from brokerhub.brokers.http import HttpResponse
from brokerhub.brokers.http.errors import raw_body
from brokerhub.errors import (
    AuthenticationFailed,
    BrokerHubError,
    Conflict,
    InsufficientFunds,
    InvalidOrder,
    MarketClosed,
    NotFound,
    ReauthorizationRequired,
    ValidationFailed,
)

ETRADE_ERROR_CODES: dict[int, type[BrokerHubError]] = {
    100: NotFound,  # Account key does not belong to user.
    102: NotFound,  # Please enter valid account key.
    101: InvalidOrder,  # the preview timed out or the previewId is invalid
    2003: ValidationFailed,  # invalid date range
    2004: ValidationFailed,  # invalid date format (MMDDYYYY)
    2005: ValidationFailed,  # invalid count
    2006: ValidationFailed,  # invalid sort column
    2007: ValidationFailed,  # invalid sortOrder
    2008: ValidationFailed,  # both PageMarker and Marker passed
}
MESSAGE_ERRORS: tuple[tuple[re.Pattern[str], type[BrokerHubError]], ...] = (
    (re.compile(r"insufficient|buying power|not enough (cash|funds)", re.I), InsufficientFunds),
    (re.compile(r"market is closed|outside .*market hours", re.I), MarketClosed),
    (re.compile(r"already used|duplicate", re.I), Conflict),
    (re.compile(r"not found|invalid symbol|symbol .* not valid", re.I), NotFound),
)
OAUTH_PROBLEM = re.compile(r"oauth_problem=([a-z_]+)")
EXPIRED_PROBLEMS = frozenset({"token_expired", "token_rejected", "token_revoked"})


def map_error(response: HttpResponse) -> BrokerHubError | None:
    """Return the hub error for an E*TRADE error answer, or None for the status table."""
    raw = raw_body(response)
    problem = OAUTH_PROBLEM.search(response.text())
    if response.status == 401 and problem:
        denied: type[AuthenticationFailed] = (
            ReauthorizationRequired if problem[1] in EXPIRED_PROBLEMS else AuthenticationFailed
        )
        return denied(
            f"E*TRADE refused the request ({problem[1]})",
            broker=BROKER,
            broker_code=problem[1],
            raw=raw,
        )
    try:
        payload = response.json()
    except ValueError:
        return None
    error = payload.get("Error") if isinstance(payload, dict) else None
    if not isinstance(error, dict) or "code" not in error:
        return None
    code, message = int(error["code"]), str(error.get("message", ""))
    kind: type[BrokerHubError] | None = ETRADE_ERROR_CODES.get(code)
    if kind is None:
        kind = next((k for pattern, k in MESSAGE_ERRORS if pattern.search(message)), None)
    if kind is None:
        kind = InvalidOrder if "/orders" in raw or response.status == 400 else ValidationFailed
    return kind(message or f"E*TRADE error {code}", broker=BROKER, broker_code=str(code), raw=raw)
