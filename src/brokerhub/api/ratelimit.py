"""The seed's per-user request limit (100 per minute) as a sliding window.

In-process by default; shared by every API process through Redis when ``BROKERHUB_REDIS_URL``
is set (DESIGN §5), so a user behind a load balancer gets 100 requests per minute in all.
Written by hand because it is a dozen lines (a deque, or a sorted set and a Lua script) and
the libraries for it (slowapi, limits) key by client address, not by authenticated user.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict, deque
from typing import Protocol

from redis.asyncio import Redis

from brokerhub.config import Settings
from brokerhub.errors import RateLimited

WINDOW_SECONDS = 60.0

# KEYS[1]: the user's window; ARGV: now, window, limit, a unique member. Returns nil when the
# request is counted, else the seconds until the oldest counted request leaves the window.
SLIDING_WINDOW_SCRIPT = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return false
"""


def _refusal(limit: int, retry_after: float) -> RateLimited:
    return RateLimited(f"Rate limit exceeded: {limit} requests per minute", retry_after=retry_after)


class RateLimiter(Protocol):
    """Counts requests per user."""

    async def check(self, user_id: int) -> None:
        """Count one request by ``user_id``; raise RateLimited past the limit."""

    async def close(self) -> None:
        """Release connections."""


class RequestRateLimiter:
    """Allow at most ``limit`` requests per user in any 60 s window, in this process."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._hits: defaultdict[int, deque[float]] = defaultdict(deque)

    async def check(self, user_id: int) -> None:
        """Count one request by ``user_id``.

        Raises:
            RateLimited: the user already made ``limit`` requests in the last minute.
        """
        now = time.monotonic()
        hits = self._hits[user_id]
        while hits and hits[0] <= now - WINDOW_SECONDS:
            hits.popleft()
        if len(hits) >= self._limit:
            raise _refusal(self._limit, hits[0] + WINDOW_SECONDS - now)
        hits.append(now)

    async def close(self) -> None:
        """Release nothing."""


class RedisRequestRateLimiter:
    """The same window in Redis, shared by every API process using ``namespace``."""

    def __init__(self, url: str, namespace: str, limit: int) -> None:
        self._redis: Redis = Redis.from_url(url)
        self._script = self._redis.register_script(SLIDING_WINDOW_SCRIPT)
        self._namespace = namespace
        self._limit = limit

    async def check(self, user_id: int) -> None:
        """Count one request by ``user_id`` in Redis (atomically, by a Lua script).

        Raises:
            RateLimited: the user already made ``limit`` requests in the last minute.
        """
        key = f"{self._namespace}:ratelimit:{user_id}"
        member = uuid.uuid4().hex
        wait = await self._script(
            keys=[key], args=[time.time(), WINDOW_SECONDS, self._limit, member]
        )
        if wait is not None:
            raise _refusal(self._limit, max(0.0, float(wait)))

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()


def create_rate_limiter(settings: Settings) -> RequestRateLimiter | RedisRequestRateLimiter:
    """Return the limiter for ``settings``: Redis-shared when Redis is configured."""
    limit = settings.api_rate_limit_per_minute
    if settings.redis_url:
        return RedisRequestRateLimiter(settings.redis_url, settings.redis_namespace, limit)
    return RequestRateLimiter(limit)
