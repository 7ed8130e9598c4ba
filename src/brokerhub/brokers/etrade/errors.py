"""E*TRADE error answers mapped onto the hub's error tree, as a table.

E*TRADE answers API errors with ``{"Error": {"code", "message"}}`` (XML ``<Error>``; the code
is sometimes a JSON string) and OAuth failures with an HTML 401 page naming
``oauth_problem=...`` (jessecooper/pyetrade issues #4, #5, #38, #55); over the rate limit it
answers HTTP 400 with an HTML page, which brokers/http maps to RateLimited.

Codes, as far as public sources show them (tests/fixtures/etrade/README.md lists each):

* 100, 102, 53 and 2003-2008: https://apisb.etrade.com/docs/api/account/api-transaction-v1.html
  and /docs/api/order/api-order-v1.html.
* 100 is also sent with "The requested service is not currently available, please try after
  sometime." (jessecooper/pyetrade#98), so the message decides before the code does.
* 101: "For your protection, we have timed out your original order request. If you would like
  to place this order, please resubmit it now." and "{com.etrade.api.v1.order.InvalidPreviewId}"
  (jessecooper/pyetrade#23, #61): the preview expired; preview again.
* 1021: "We cannot accept this order because there are insufficient funds in your account."
  (jessecooper/pyetrade#78).

E*TRADE publishes no list of v1 order rejection codes, so other rejections (market closed,
invalid symbol, duplicate clientOrderId) are recognised by their message.
"""

from __future__ import annotations

import re

from brokerhub.brokers.etrade.parse import BROKER
from brokerhub.brokers.http import HttpResponse
from brokerhub.brokers.http.errors import raw_body
from brokerhub.errors import (
    AuthenticationFailed,
    BrokerHubError,
    BrokerUnavailable,
    Conflict,
    InsufficientFunds,
    InvalidOrder,
    MarketClosed,
    NotFound,
    ReauthorizationRequired,
    ValidationFailed,
)

ETRADE_ERROR_CODES: dict[int, type[BrokerHubError]] = {
    100: NotFound,  # Account key does not belong to user. (see MESSAGE_FIRST for the other 100)
    101: InvalidOrder,  # preview timed out / InvalidPreviewId: preview again, then place
    102: NotFound,  # Please enter valid account key.
    1021: InsufficientFunds,  # ... there are insufficient funds in your account.
    2003: ValidationFailed,  # Invalid Date Range.
    2004: ValidationFailed,  # Invalid date format. Format must be MMDDYYYY
    2005: ValidationFailed,  # Invalid count. Count value should be between 1 and 50.
    2006: ValidationFailed,  # Invalid SortColumn.
    2007: ValidationFailed,  # Invalid SortOrder. SortOrder should be ASC or DESC.
    2008: ValidationFailed,  # Invalid Marker. Both PageMarker and Marker passed.
}
MESSAGE_FIRST: tuple[tuple[re.Pattern[str], type[BrokerHubError]], ...] = (
    (re.compile(r"not currently available|try after sometime", re.I), BrokerUnavailable),
)
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
    code, message = str(error["code"]), str(error.get("message", ""))
    kind = next((k for pattern, k in MESSAGE_FIRST if pattern.search(message)), None)
    if kind is None and code.isdigit():
        kind = ETRADE_ERROR_CODES.get(int(code))
    if kind is None:
        kind = next((k for pattern, k in MESSAGE_ERRORS if pattern.search(message)), None)
    if kind is None:
        kind = InvalidOrder if "/orders" in raw or response.status == 400 else ValidationFailed
    return kind(message or f"E*TRADE error {code}", broker=BROKER, broker_code=str(code), raw=raw)
