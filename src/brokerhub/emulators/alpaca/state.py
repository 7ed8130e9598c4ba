"""The emulator's state around the simulator: key pairs, accounts, limits and fault hooks."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal

from starlette.requests import HTTPConnection

from brokerhub.core.orders import Order
from brokerhub.emulators.alpaca.errors import CODE_RATE_LIMITED, AlpacaHttpError, unauthorized
from brokerhub.emulators.alpaca.wire import wire_uuid
from brokerhub.errors import NotFound
from brokerhub.sim.exchange import SimExchange

KEY_HEADER = "APCA-API-KEY-ID"
SECRET_HEADER = "APCA-API-SECRET-KEY"  # noqa: S105 - a header name, not a secret
PROFILE_PREFIX = "alpaca:"


@dataclass
class Faults:
    """Failures a test arms; each fires on the next matching request, then disarms.

    Attributes:
        rate_limited: how many next requests answer 429.
        retry_after: the Retry-After seconds of those 429s.
        delay_order_response: seconds the next POST /v2/orders waits after placing the
            order and before answering (a client with a shorter timeout loses the answer).
    """

    rate_limited: int = 0
    retry_after: int = 1
    delay_order_response: float = 0.0


@dataclass
class AlpacaEmulator:
    """Alpaca's Trading and Market Data APIs over one simulated exchange.

    Every key pair gets its own paper account (opened on first use with ``starting_cash``);
    with ``key_id``/``secret_key`` set, only that pair is accepted.

    Args:
        exchange: the simulated exchange.
        key_id: the only key id accepted, or None to accept any.
        secret_key: the secret that goes with ``key_id``.
        starting_cash: the deposit of a new account.
        rate_limit_per_minute: requests one key may make in any 60 s; None is unlimited.
        stream_poll_seconds: how often the trade-updates stream looks for order changes.
    """

    exchange: SimExchange
    key_id: str | None = None
    secret_key: str | None = None
    starting_cash: Decimal = Decimal(100_000)
    rate_limit_per_minute: int | None = None
    stream_poll_seconds: float = 0.05
    faults: Faults = field(default_factory=Faults)
    order_posts: int = 0
    _recent: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check_keys(self, key_id: str | None, secret_key: str | None) -> str:
        """Return the account id of a key pair.

        Raises:
            AlpacaHttpError: 401 for a missing or refused pair.
        """
        if not key_id or not secret_key:
            raise unauthorized()
        if self.key_id is not None and (key_id, secret_key) != (self.key_id, self.secret_key):
            raise unauthorized()
        return self.account_of(key_id)

    def authenticate(self, connection: HTTPConnection) -> str:
        """Check the request's key headers and rate limit; return its account id.

        Raises:
            AlpacaHttpError: 401 for bad keys, 429 over the limit or when a fault is armed.
        """
        key_id = connection.headers.get(KEY_HEADER)
        account_id = self.check_keys(key_id, connection.headers.get(SECRET_HEADER))
        self._limit(key_id or "")
        return account_id

    def account_of(self, key_id: str) -> str:
        """Return the paper account of ``key_id``, opening it on first use."""
        profile = PROFILE_PREFIX + key_id
        with self._lock:
            accounts = self.exchange.accounts(profile)
            if not accounts:
                accounts = [self.exchange.open_account(profile, self.starting_cash)]
        return accounts[0].account_id

    def _limit(self, key_id: str) -> None:
        with self._lock:
            if self.faults.rate_limited > 0:
                self.faults.rate_limited -= 1
                raise rate_limited(self.faults.retry_after, self.rate_limit_per_minute or 200)
            if self.rate_limit_per_minute is None:
                return
            now = time.monotonic()
            recent = self._recent.setdefault(key_id, deque())
            while recent and recent[0] <= now - 60:
                recent.popleft()
            if len(recent) >= self.rate_limit_per_minute:
                wait = max(1, int(recent[0] + 60 - now) + 1)
                raise rate_limited(wait, self.rate_limit_per_minute)
            recent.append(now)

    def find_order(self, account_id: str, wire_id: str) -> Order:
        """Return the account's order whose Alpaca id is ``wire_id``.

        Raises:
            NotFound: no such order.
        """
        for order in self.exchange.orders(account_id):
            if wire_uuid("order", order.order_id) == wire_id:
                return order
        raise NotFound("order not found")

    def replaced_by(self, orders: list[Order]) -> dict[str, str]:
        """Return, for each replaced order id, the Alpaca id of the order replacing it."""
        return {
            o.replaces_order_id: wire_uuid("order", o.order_id)
            for o in orders
            if o.replaces_order_id is not None
        }


def rate_limited(retry_after: int, limit: int) -> AlpacaHttpError:
    """Return a 429 with Retry-After and Alpaca's rate-limit headers."""
    reset = int(time.time()) + retry_after
    return AlpacaHttpError(
        429,
        {"code": CODE_RATE_LIMITED, "message": "rate limit exceeded"},
        {
            "Retry-After": str(retry_after),
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(reset),
        },
    )
