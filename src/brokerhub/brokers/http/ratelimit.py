"""Client-side rate limits: a request waits here until the broker's budget allows it.

A :class:`RateLimit` says "at most ``calls`` requests in any ``period`` seconds". Each limit is
a token bucket of ``calls`` tokens in which a used token comes back exactly ``period`` seconds
after it was used, so a burst may spend the whole budget at once and no window of ``period``
seconds ever holds more than ``calls`` requests, whatever window the broker counts in (fixed,
sliding or its own token bucket of the same size).

Each acquisition *reserves* the earliest instant allowed by every limit of its endpoint family
(E*TRADE: 2 per second and 7000 per hour), records that instant in all of them at once, and
the caller sleeps until then: no polling, first come first served. On waking it confirms the
slot, which records the instant the request really leaves (a busy event loop may wake it a
little late); only when an earlier grant moved does it sleep again. The state lives in
this process (:class:`LocalRateLimiter`) or in Redis (:class:`RedisRateLimiter`, one atomic Lua
script, time from the Redis server) so every process sharing a broker account shares its budget.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from abc import ABC, abstractmethod
from bisect import bisect_left, insort
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from redis.asyncio import Redis

Sleep = Callable[[float], Awaitable[None]]

PERIOD_MARGIN = 0.02
ARRIVAL_JITTER = 0.05
"""A used token comes back 2 % of the period plus 50 ms late, so the spread between when a
request is sent and when the broker counts it (network, a busy server) never lets
``calls + 1`` land in one of the broker's windows."""


@dataclass(frozen=True)
class RateLimit:
    """At most ``calls`` requests in any window of ``period`` seconds.

    Args:
        calls: requests allowed per window (>= 1).
        period: the window length in seconds (> 0).
    """

    calls: int
    period: float

    def __post_init__(self) -> None:
        if self.calls < 1 or self.period <= 0:
            raise ValueError(f"invalid rate limit {self.calls}/{self.period}s")

    @property
    def recycle_after(self) -> float:
        """Return the seconds after which a used token is available again."""
        return self.period * (1 + PERIOD_MARGIN) + ARRIVAL_JITTER

    @classmethod
    def per_second(cls, calls: int) -> RateLimit:
        """Return ``calls`` per second."""
        return cls(calls, 1.0)

    @classmethod
    def per_minute(cls, calls: int) -> RateLimit:
        """Return ``calls`` per minute."""
        return cls(calls, 60.0)

    @classmethod
    def per_hour(cls, calls: int) -> RateLimit:
        """Return ``calls`` per hour."""
        return cls(calls, 3600.0)


@dataclass
class Permit:
    """A reserved slot: confirmed with :meth:`RateLimiter.confirm` right before sending."""

    key: str
    limits: tuple[RateLimit, ...]
    token: str
    waited: float = 0.0


class RateLimiter(ABC):
    """Reserve a slot under every limit of a key, sleep until it comes, confirm, go."""

    def __init__(self, sleep: Sleep = asyncio.sleep) -> None:
        self._sleep = sleep
        self._tokens = itertools.count()

    @abstractmethod
    async def reserve(self, key: str, limits: Sequence[RateLimit], token: str) -> float:
        """Record the earliest allowed instant for ``token`` and return the seconds until it.

        Reserving a token again (after sleeping) moves it to now when every limit still allows
        that, counting only the grants ordered before it, so the recorded instant is when the
        request really leaves.
        """

    async def acquire(self, key: str, limits: Sequence[RateLimit]) -> Permit:
        """Wait until a request under ``key`` may leave; return its permit."""
        permit = Permit(key, tuple(limits), f"{id(self)}:{next(self._tokens)}")
        if limits:
            permit.waited = await self._wait(permit)
        return permit

    async def confirm(self, permit: Permit) -> None:
        """Record that the request leaves now (its connection is ready), waiting if an earlier
        grant moved; call it at the last moment before the request is written."""
        if permit.limits:
            permit.waited += await self._wait(permit)
            self.forget(permit)

    async def _wait(self, permit: Permit) -> float:
        waited = 0.0
        delay = await self.reserve(permit.key, permit.limits, permit.token)
        while delay > 0:
            await self._sleep(delay)
            waited += delay
            delay = await self.reserve(permit.key, permit.limits, permit.token)
        return waited

    def forget(self, permit: Permit) -> None:  # noqa: B027 - only the local limiter keeps any
        """Drop the bookkeeping of a permit whose request has left or was abandoned."""

    async def close(self) -> None:  # noqa: B027 - a no-op unless the limiter holds connections
        """Release connections; the default holds none."""


class LocalRateLimiter(RateLimiter):
    """Budgets kept in this process (the default without Redis).

    Reservations are made without awaiting, so the event loop serialises them; one instance is
    shared by every client of the process (see :func:`local_rate_limiter`).
    """

    def __init__(
        self, sleep: Sleep = asyncio.sleep, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(sleep)
        self._clock = clock
        self._grants: dict[tuple[str, RateLimit], list[tuple[float, str]]] = {}
        self._held: dict[str, float] = {}

    async def reserve(self, key: str, limits: Sequence[RateLimit], token: str) -> float:
        """Return the seconds until the next slot allowed by every limit, and take it."""
        now = self._clock()
        own = self._held.get(token)
        at = now
        logs = []
        for limit in limits:
            grants = self._grants.setdefault((key, limit), [])
            del grants[: bisect_left(grants, (now - limit.recycle_after, ""))]
            rank = len(grants) if own is None else bisect_left(grants, (own, token))
            if rank < len(grants) and grants[rank] == (own, token):
                del grants[rank]
            if rank >= limit.calls:
                at = max(at, grants[rank - limit.calls][0] + limit.recycle_after)
            logs.append(grants)
        for grants in logs:
            insort(grants, (at, token))
        self._held[token] = at
        return at - now

    def forget(self, permit: Permit) -> None:
        """Drop the permit's reserved instant from the bookkeeping (its grant stays)."""
        self._held.pop(permit.token, None)


_RESERVE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local token = ARGV[#ARGV]
local at = now
for i, key in ipairs(KEYS) do
  local calls = tonumber(ARGV[2 * i - 1])
  local recycle = tonumber(ARGV[2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. string.format('%.6f', now - recycle))
  local rank = redis.call('ZRANK', key, token)
  if rank then
    redis.call('ZREM', key, token)
  else
    rank = redis.call('ZCARD', key)
  end
  if rank >= calls then
    local nth = redis.call('ZRANGE', key, rank - calls, rank - calls, 'WITHSCORES')
    at = math.max(at, tonumber(nth[2]) + recycle)
  end
end
for i, key in ipairs(KEYS) do
  local recycle = tonumber(ARGV[2 * i])
  redis.call('ZADD', key, string.format('%.6f', at), token)
  redis.call('PEXPIRE', key, math.ceil((at - now + recycle) * 1000) + 1000)
end
return string.format('%.6f', at - now)
"""


class RedisRateLimiter(RateLimiter):
    """Budgets shared by every process through Redis (``BROKERHUB_REDIS_URL``).

    Each limit of a key is a sorted set of granted instants; one Lua script reads the Redis
    clock, finds the earliest instant every limit allows and records it in all of them, so
    concurrent processes never both take the last slot.
    """

    def __init__(self, url: str, *, prefix: str = "brokerhub:ratelimit:") -> None:
        super().__init__()
        self._redis: Redis = Redis.from_url(url)
        self._script = self._redis.register_script(_RESERVE_SCRIPT)
        self._prefix = prefix
        self._instance = uuid.uuid4().hex

    async def reserve(self, key: str, limits: Sequence[RateLimit], token: str) -> float:
        """Return the seconds until the next slot allowed by every limit, and take it."""
        keys = [f"{self._prefix}{key}:{limit.calls}/{limit.period:g}" for limit in limits]
        args: list[str] = []
        for limit in limits:
            args += [str(limit.calls), repr(limit.recycle_after)]
        args.append(f"{self._instance}:{token}")
        result = await self._script(keys=keys, args=args)
        return float(result)

    async def close(self) -> None:
        """Close the Redis connection pool."""
        await self._redis.aclose()


_local: LocalRateLimiter | None = None


def local_rate_limiter() -> LocalRateLimiter:
    """Return this process's shared in-memory limiter."""
    global _local
    if _local is None:
        _local = LocalRateLimiter()
    return _local


def create_rate_limiter(redis_url: str | None) -> RateLimiter:
    """Return a Redis-shared limiter when ``redis_url`` is set, else the process's own."""
    return RedisRateLimiter(redis_url) if redis_url else local_rate_limiter()
