"""Broker HTTP answers and transport failures mapped onto the unified error tree.

An adapter may pass an :data:`ErrorMapper` built from its broker's code table; whatever it
does not recognise falls back to :func:`error_for_status`. Raw bodies kept on errors are
redacted and cut to :data:`RAW_LIMIT` characters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from brokerhub.brokers.http.response import HttpResponse
from brokerhub.brokers.http.retry import parse_retry_after
from brokerhub.errors import (
    AuthenticationFailed,
    BrokerHubError,
    BrokerTimeout,
    BrokerUnavailable,
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from brokerhub.logging import redact_text

RAW_LIMIT = 2000

ErrorMapper = Callable[[HttpResponse], BrokerHubError | None]
"""Return the hub error for a broker's error answer, or None to use the status table."""

# Brokers that signal "over the limit" without a 429: E*TRADE answers HTTP 400 with an HTML
# page saying so.
OVER_LIMIT_MARKERS = ("exceeded the rate limit", "rate limit exceeded", "too many requests")

STATUS_ERRORS: Mapping[int, type[BrokerHubError]] = {
    400: ValidationFailed,
    401: AuthenticationFailed,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    422: ValidationFailed,
    504: BrokerTimeout,
}


def raw_body(response: HttpResponse) -> str:
    """Return the body as redacted text, cut to RAW_LIMIT characters."""
    return redact_text(response.text()[:RAW_LIMIT])


def error_for_status(response: HttpResponse, broker: str) -> BrokerHubError:
    """Return the unified error for a non-success answer, by its status code."""
    status = response.status
    raw = raw_body(response)
    lowered = raw.lower()
    where = f"{broker} answered HTTP {status}"
    if status == 429 or (status == 400 and any(m in lowered for m in OVER_LIMIT_MARKERS)):
        return RateLimited(
            f"{broker} rate limit exceeded",
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            broker=broker,
            raw=raw,
        )
    error_class = STATUS_ERRORS.get(status)
    if error_class is not None:
        return error_class(where, broker=broker, raw=raw)
    if status >= 500:
        return BrokerUnavailable(where, broker=broker, raw=raw)
    return ValidationFailed(where, broker=broker, raw=raw)
