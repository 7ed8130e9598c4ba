"""Client-side rate limits: a request waits here until the broker's budget allows it.

A :class:`RateLimit` says "at most ``calls`` requests in any ``period`` seconds". Each limit is
a token bucket of ``calls`` tokens in which a used token comes back exactly ``period`` seconds
after it was used, so a burst may spend the whole budget at once and no window of ``period``
seconds ever holds more than ``calls`` requests, whatever window the broker counts in (fixed,
sliding or its own token bucket of the same size).

Each acquisition *reserves* the earliest instant allowed by every limit of its endpoint family
(E*TRADE: 2 per second and 7000 per hour), records that instant in all of them at once, and
the caller sleeps until then: no polling, first come first served. On waking, and again when
its connection is ready, it checks that the slot still holds; only when an earlier grant
moved does it take a new slot and sleep again. When the answer arrives
the grant is *settled*: the broker counted the request somewhere between sending and the
answer, so the token comes back ``period`` (plus :data:`COUNT_MARGIN`) after the answer.
The state lives in this process (:class:`LocalRateLimiter`) or in Redis
(:class:`RedisRateLimiter`, atomic Lua scripts, time from the Redis server, 6.2 or later) so
every process sharing a broker account shares its budget.

Each limit keeps, per grant, the latest instant the broker can have counted it; a token is
free again ``period`` after that instant. Until the answer comes that is the send instant
plus the arrival allowance (2 % of the period + 50 ms); settling moves it to the answer's
instant, earlier for a quick answer and later for a slow one (a busy broker may count late).
Settling is what lets a client use a short window fully: with the allowance alone, a
10-per-100-ms budget is paced to 10 per 152 ms, 66 % of it (bench/g3_pacing.py). A request
still unanswered a whole period after it left may be passed by one reserved after it.
"""

from __future__ import annotations

import asyncio
import contextlib
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
"""While its answer is outstanding, a request is taken to be counted by the broker up to 2 %
of the period plus 50 ms after it was sent, so the spread between sending and counting
(network, a busy server) never lets ``calls + 1`` land in one of the broker's windows."""
COUNT_MARGIN = 0.001
"""A settled token comes back ``period`` plus 1 ms (clock and timer granularity) after the
answer; the broker counted the request before it answered."""


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
    def allowance(self) -> float:
        """Return how long after sending an unanswered request may still be counted."""
        return self.period * PERIOD_MARGIN + ARRIVAL_JITTER

    @property
    def recycle_after(self) -> float:
        """Return the seconds after sending at which the token of an unanswered request is
        available again (a settled one: ``period + COUNT_MARGIN`` after its answer)."""
        return self.period + self.allowance

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
    """A reserved slot: confirmed with :meth:`RateLimiter.confirm` right before sending and
    settled with :meth:`RateLimiter.settle` when the answer (or the failure) came."""

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

        Reserving a token again (after sleeping, or right before sending) counts only the
        grants ordered before it; it moves to an earlier slot when one opened (an earlier
        request was answered sooner than planned), keeps its place while its slot is still
        allowed (the tokens queued behind it go on counting it), and otherwise moves later.
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

    async def settle(self, permit: Permit) -> None:
        """Record that the request's answer (or its failure) came now: the broker counted it
        by now, so its token comes back ``period`` after this instant. Call it once per
        permit, whatever happened."""
        if permit.limits:
            await self._settle(permit)
        self.forget(permit)

    @abstractmethod
    async def _settle(self, permit: Permit) -> None:
        """Move the permit's grant in every limit to now (its latest count instant)."""

    async def _wait(self, permit: Permit) -> float:
        waited = 0.0
        delay = await self.reserve(permit.key, permit.limits, permit.token)
        while delay > 0:
            waited += await self._pause(permit.key, delay)
            delay = await self.reserve(permit.key, permit.limits, permit.token)
        return waited

    async def _pause(self, key: str, delay: float) -> float:
        """Sleep ``delay`` seconds before the slot is checked again; return the time slept."""
        await self._sleep(delay)
        return delay

    def forget(self, permit: Permit) -> None:  # noqa: B027 - only the local limiter keeps any
        """Drop the bookkeeping of a permit that is settled or was abandoned."""

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
        # Set when a grant of the key was answered sooner than planned: its waiters re-plan.
        self._sooner: dict[str, asyncio.Event] = {}
        # Per (key, limit): (latest count instant, token), sorted; a token is free again
        # ``period`` after its instant.
        self._grants: dict[tuple[str, RateLimit], list[tuple[float, str]]] = {}
        self._held: dict[str, float] = {}

    async def reserve(self, key: str, limits: Sequence[RateLimit], token: str) -> float:
        """Return the seconds until the next slot allowed by every limit, and take it.

        A token reserved before keeps its place (its grant is not moved) when its slot is
        still allowed, so the tokens queued behind it keep counting it; it moves only when an
        earlier grant moved and it must wait again.
        """
        now = self._clock()
        held = self._held.get(token)
        at = now
        places = []
        for limit in limits:
            grants = self._grants.setdefault((key, limit), [])
            del grants[: bisect_left(grants, (now - limit.period, ""))]
            if held is None:
                rank, found = len(grants), False
            else:
                rank = bisect_left(grants, (held + limit.allowance, token))
                found = rank < len(grants) and grants[rank][1] == token
            if rank >= limit.calls:
                at = max(at, grants[rank - limit.calls][0] + limit.period)
            places.append((grants, limit, rank, found))
        if held is not None and held <= at <= max(now, held) and all(p[3] for p in places):
            return max(0.0, held - now)
        for grants, limit, rank, found in places:
            if found:
                del grants[rank]
            insort(grants, (at + limit.allowance, token))
        self._held[token] = at
        return at - now

    async def _settle(self, permit: Permit) -> None:
        sent = self._held.get(permit.token)
        if sent is None:
            return
        answered = self._clock() + COUNT_MARGIN
        sooner = False
        for limit in permit.limits:
            grants = self._grants.get((permit.key, limit))
            if not grants:
                continue
            provisional = sent + limit.allowance
            rank = bisect_left(grants, (provisional, permit.token))
            if rank < len(grants) and grants[rank][1] == permit.token:
                del grants[rank]
                insort(grants, (answered, permit.token))
                sooner = sooner or answered < provisional
        if sooner and (event := self._sooner.pop(permit.key, None)) is not None:
            event.set()

    async def _pause(self, key: str, delay: float) -> float:
        """Sleep until the slot or until a grant of ``key`` is answered sooner than planned
        (then the waiter re-plans and may go earlier); return the time slept."""
        if self._sleep is not asyncio.sleep:  # an injected sleep (tests): plain sleeping
            return await super()._pause(key, delay)
        started = self._clock()
        event = self._sooner.get(key)
        if event is None:
            event = self._sooner[key] = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await event.wait()
        return self._clock() - started

    def forget(self, permit: Permit) -> None:
        """Drop the permit's reserved instant from the bookkeeping (its grant stays)."""
        self._held.pop(permit.token, None)


_RESERVE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local token = ARGV[#ARGV]
local at = now
local held = nil
local found = true
for i, key in ipairs(KEYS) do
  local calls = tonumber(ARGV[3 * i - 2])
  local period = tonumber(ARGV[3 * i - 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. string.format('%.6f', now - period))
  local rank = redis.call('ZRANK', key, token)
  if rank then
    held = tonumber(redis.call('ZSCORE', key, token)) - tonumber(ARGV[3 * i])
  else
    found = false
    rank = redis.call('ZCARD', key)
  end
  if rank >= calls then
    local nth = redis.call('ZRANGE', key, rank - calls, rank - calls, 'WITHSCORES')
    at = math.max(at, tonumber(nth[2]) + period)
  end
end
if held and found and at <= math.max(now, held) + 0.000002 then
  return string.format('%.6f', math.max(0, held - now))
end
for i, key in ipairs(KEYS) do
  local period = tonumber(ARGV[3 * i - 1])
  local allowance = tonumber(ARGV[3 * i])
  redis.call('ZADD', key, string.format('%.6f', at + allowance), token)
  redis.call('PEXPIRE', key, math.ceil((at - now + allowance + period) * 1000) + 1000)
end
return string.format('%.6f', at - now)
"""

_SETTLE_SCRIPT = """
local t = redis.call('TIME')
local answered = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[1])
local keep = math.ceil(tonumber(ARGV[3]) * 1000) + 1000
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', string.format('%.6f', answered), ARGV[2])
  if redis.call('PTTL', key) < keep then
    redis.call('PEXPIRE', key, keep)
  end
end
return 1
"""


class RedisRateLimiter(RateLimiter):
    """Budgets shared by every process through Redis (``BROKERHUB_REDIS_URL``).

    Each limit of a key is a sorted set of grants scored by their latest count instant; one
    Lua script reads the Redis clock, finds the earliest instant every limit allows and
    records it in all of them, so concurrent processes never both take the last slot; another
    moves a grant to the instant its answer came.
    """

    def __init__(self, url: str, *, prefix: str = "brokerhub:ratelimit:") -> None:
        super().__init__()
        self._redis: Redis = Redis.from_url(url)
        self._script = self._redis.register_script(_RESERVE_SCRIPT)
        self._settle_script = self._redis.register_script(_SETTLE_SCRIPT)
        self._prefix = prefix
        self._instance = uuid.uuid4().hex

    def _keys(self, key: str, limits: Sequence[RateLimit]) -> list[str]:
        return [f"{self._prefix}{key}:{limit.calls}/{limit.period:g}" for limit in limits]

    async def reserve(self, key: str, limits: Sequence[RateLimit], token: str) -> float:
        """Return the seconds until the next slot allowed by every limit, and take it."""
        args: list[str] = []
        for limit in limits:
            args += [str(limit.calls), repr(limit.period), repr(limit.allowance)]
        args.append(f"{self._instance}:{token}")
        result = await self._script(keys=self._keys(key, limits), args=args)
        return float(result)

    async def _settle(self, permit: Permit) -> None:
        await self._settle_script(
            keys=self._keys(permit.key, permit.limits),
            args=[
                repr(COUNT_MARGIN),
                f"{self._instance}:{permit.token}",
                repr(max(limit.period for limit in permit.limits)),
            ],
        )

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
