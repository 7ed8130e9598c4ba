"""The seed's per-user request limit (100 per minute) as a sliding window.

In-process by default; the Redis-shared window for many API processes comes with the
background-work issue. Written by hand because it is a dozen lines over a deque and the
libraries for it (slowapi, limits) key by client address, not by authenticated user.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque

from brokerhub.errors import RateLimited

WINDOW_SECONDS = 60.0


class RequestRateLimiter:
    """Allow at most ``limit`` requests per user in any 60 s window."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._hits: defaultdict[int, deque[float]] = defaultdict(deque)

    def check(self, user_id: int) -> None:
        """Count one request by ``user_id``.

        Raises:
            RateLimited: the user already made ``limit`` requests in the last minute.
        """
        now = time.monotonic()
        hits = self._hits[user_id]
        while hits and hits[0] <= now - WINDOW_SECONDS:
            hits.popleft()
        if len(hits) >= self._limit:
            retry_after = hits[0] + WINDOW_SECONDS - now
            raise RateLimited(
                f"Rate limit exceeded: {self._limit} requests per minute",
                retry_after=retry_after,
            )
        hits.append(now)
