"""One error tree for every broker and every layer.

The tree is split by what the caller should do: a *rejected* request will fail again if
repeated unchanged; an *unavailable* one may succeed if retried later. Retry policy keys off
the class, and the API maps the tree to HTTP in one table (the ``http_status`` of each class)::

    BrokerHubError (500)
    ├── RejectedError (400)
    │   ├── ValidationFailed (400)
    │   ├── AuthenticationFailed (401)
    │   │   └── ReauthorizationRequired (401)
    │   ├── PermissionDenied (403)
    │   ├── NotFound (404)
    │   ├── Conflict (409)
    │   ├── InvalidOrder (400)
    │   │   ├── InsufficientFunds (400)
    │   │   └── MarketClosed (400)
    │   ├── UnsupportedOperation (501)
    │   └── LiveTradingDisabled (403)
    ├── UnavailableError (503)
    │   ├── NetworkError (503)
    │   ├── BrokerTimeout (504)
    │   ├── RateLimited (429)          carries retry_after seconds
    │   └── BrokerUnavailable (503)    maintenance, 5xx
    ├── OrderStateUnknown (502)        sent, outcome lost: reconcile by client order id
    └── ConfigurationError (500)
        └── CredentialError (400)      credentials missing or malformed
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class BrokerHubError(Exception):
    """Root of every brokerhub error.

    Args:
        message: what went wrong, written for the user.
        broker: the broker id when the error came from a broker.
        broker_code: the broker's own error code, if it gave one.
        raw: the broker's error payload, already redacted.
    """

    http_status: ClassVar[int] = 500

    def __init__(
        self,
        message: str,
        *,
        broker: str | None = None,
        broker_code: str | None = None,
        raw: Mapping[str, object] | str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.broker = broker
        self.broker_code = broker_code
        self.raw = raw

    def __str__(self) -> str:
        return self.message


class RejectedError(BrokerHubError):
    """The request was refused; repeating it unchanged fails again."""

    http_status = 400


class ValidationFailed(RejectedError):
    """Input was malformed: a field is missing or has a bad value."""


class AuthenticationFailed(RejectedError):
    """Credentials or tokens were refused."""

    http_status = 401


class ReauthorizationRequired(AuthenticationFailed):
    """The user must authorize again (refresh token or session is gone)."""


class PermissionDenied(RejectedError):
    """Authenticated, but not allowed to do this."""

    http_status = 403


class NotFound(RejectedError):
    """The account, order or symbol does not exist (or is not the caller's)."""

    http_status = 404


class Conflict(RejectedError):
    """The request clashes with the current state (e.g. cancelling a filled order)."""

    http_status = 409


class InvalidOrder(RejectedError):
    """The broker or the hub refused an order as malformed or not allowed."""


class InsufficientFunds(InvalidOrder):
    """Not enough cash, buying power or shares for the order."""


class MarketClosed(InvalidOrder):
    """The market is closed for this kind of order."""


class UnsupportedOperation(RejectedError):
    """The broker has no such operation; its capability map says so."""

    http_status = 501


class LiveTradingDisabled(RejectedError):
    """A real-money order was refused because live trading is not enabled for the connection."""

    http_status = 403


class UnavailableError(BrokerHubError):
    """The request failed for a passing reason; it may succeed if retried later."""

    http_status = 503


class NetworkError(UnavailableError):
    """The broker could not be reached (DNS, refused, reset)."""


class BrokerTimeout(UnavailableError):
    """The broker did not answer in time."""

    http_status = 504


class RateLimited(UnavailableError):
    """Too many requests; ``retry_after`` says how many seconds to wait, when known."""

    http_status = 429

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        broker: str | None = None,
        broker_code: str | None = None,
        raw: Mapping[str, object] | str | None = None,
    ) -> None:
        super().__init__(message, broker=broker, broker_code=broker_code, raw=raw)
        self.retry_after = retry_after


class BrokerUnavailable(UnavailableError):
    """The broker answered with a server error or is under maintenance."""


class OrderStateUnknown(BrokerHubError):
    """An order was sent but its outcome was lost; it is reconciled by client order id."""

    http_status = 502


class ConfigurationError(BrokerHubError):
    """brokerhub is set up wrongly (settings, config file, missing key)."""


class CredentialError(ConfigurationError):
    """Credentials are missing or malformed; the message names the field."""

    http_status = 400
