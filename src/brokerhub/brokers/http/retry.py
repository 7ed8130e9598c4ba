"""The retry policy of DESIGN section 2, keyed off the error tree.

Only idempotent requests are retried, and only for :class:`~brokerhub.errors.UnavailableError`
(timeouts, connection errors, 429, 5xx). The delay grows exponentially with full jitter, a
``Retry-After`` from the broker is honoured as a minimum, and the whole call, waits included,
never runs past ``total_timeout``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from brokerhub.errors import BrokerHubError, RateLimited, UnavailableError

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry an idempotent request.

    Args:
        max_attempts: attempts in all, the first included.
        base_delay: seconds before the first retry (before jitter); doubles each time.
        max_delay: the cap of one backoff delay, in seconds.
        total_timeout: seconds the whole call may take, waits included.
    """

    max_attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 8.0
    total_timeout: float = 60.0

    def should_retry(self, error: BrokerHubError, *, attempt: int, idempotent: bool) -> bool:
        """Return whether ``error`` on attempt number ``attempt`` (1-based) is retried."""
        return idempotent and isinstance(error, UnavailableError) and attempt < self.max_attempts

    def delay(self, error: BrokerHubError, *, attempt: int) -> float:
        """Return the seconds to wait before attempt ``attempt + 1``.

        Full jitter over ``base_delay * 2**(attempt-1)`` capped at ``max_delay``; a broker's
        ``Retry-After`` is a floor, since retrying sooner is refused again.
        """
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        jittered = random.uniform(0, ceiling)  # noqa: S311 - jitter, not a secret
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return max(error.retry_after, jittered)
        return jittered


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
