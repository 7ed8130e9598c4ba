"""Client-side rate limits: a request waits here until the broker's budget allows it.

Two limit shapes, declared per endpoint family as the broker documents them:

* :class:`RateLimit`: "at most ``calls`` requests in any ``period`` seconds" (E*TRADE's
  per-second and per-hour windows). A used token comes back ``period`` after the broker
  counted its request, so no window of ``period`` seconds ever holds more than ``calls``,
  whatever window the broker counts in (fixed, sliding or a bucket of the same size).
* :class:`TokenBucket`: a bucket of ``burst`` tokens refilled one every ``1 / rate`` seconds.
  It admits a burst at once and then exactly ``rate`` per second; declaring such a broker as
  the window ``RateLimit(burst, burst / rate)`` would refill in bursts and lose the time to
  drain each one (about 5 % of a 100/s budget, bench/g3_pacing.py).

Each acquisition *reserves* the earliest instant allowed by every limit of its endpoint family
(E*TRADE: 2 per second and 7000 per hour), records that instant in all of them at once, and
the caller sleeps until then: no polling, first come first served. On waking, and again when
its connection is ready, it checks that the slot still holds; only when an earlier grant
moved does it take a new slot and sleep again. When the answer arrives the grant is
*settled*: the broker counted the request somewhere between sending and the answer, so its
latest count instant becomes the answer (plus :data:`COUNT_MARGIN`). The state lives in this
process (:class:`LocalRateLimiter`) or in Redis (:class:`RedisRateLimiter`, atomic Lua scripts,
time from the Redis server, 6.2 or later) so every process sharing a broker account shares its
budget; both compute the same slots.

Each limit keeps, per grant, the latest instant the broker can have counted it. Until the
answer comes that is the send instant plus the arrival allowance (2 % of the period + 50 ms;
a bucket's period is the time to refill it, ``burst / rate``); settling moves it to the
answer's instant, earlier for a quick answer and later for a slow one (a busy broker may count
late). Settling is what lets a client use a short window fully: with the allowance alone, a
10-per-100-ms window is paced to 10 per 152 ms. Grants are dropped a period after their count
instant (a bucket folds them into one summary instant first), so a request still unanswered
a whole period after its allowance may be passed by one reserved after it.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
import uuid
from abc import ABC, abstractmethod
from bisect import bisect_left, insort
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from redis.asyncio import Redis

Sleep = Callable[[float], Awaitable[None]]
Grants = list[tuple[float, str]]
"""One limit's grants under one key: (latest count instant, token), ascending."""

PERIOD_MARGIN = 0.02
ARRIVAL_JITTER = 0.05
"""While its answer is outstanding, a request is taken to be counted by the broker up to 2 %
of the period plus 50 ms after it was sent, so the spread between sending and counting
(network, a busy server) never lets ``calls + 1`` land in one of the broker's windows."""
COUNT_MARGIN = 0.001
"""A settled grant's latest count instant is its answer plus 1 ms (clock and timer
granularity); the broker counted the request before it answered."""


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
    def label(self) -> str:
        """Return the limit's name in shared (Redis) keys."""
        return f"{self.calls}/{self.period:g}"

    def fold(self, base: float, counted: float) -> float:
        """Return the summary of dropped grants after dropping one counted at ``counted``:
        a window forgets it (it is a period old)."""
        return base

    def earliest(self, grants: Grants, rank: int, base: float) -> float:
        """Return the earliest instant a request ordered after ``grants[:rank]`` may be
        counted: a period after the ``calls``-th latest of them."""
        return grants[rank - self.calls][0] + self.period if rank >= self.calls else -math.inf

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


@dataclass(frozen=True)
class TokenBucket:
    """A bucket of ``burst`` tokens, one added every ``1 / rate`` seconds; a request takes one.

    A request may be counted when, for every earlier grant, the requests the broker can have
    counted from that grant's latest count instant up to this one (at most ``k + 1`` when the
    grant is the ``k``-th latest) fit in ``burst`` plus the tokens added meanwhile.

    Args:
        rate: tokens added per second (> 0).
        burst: tokens the bucket holds (>= 1).
    """

    rate: float
    burst: int

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError(f"invalid token bucket {self.rate}/s burst {self.burst}")

    @property
    def interval(self) -> float:
        """Return the seconds between two added tokens."""
        return 1.0 / self.rate

    @property
    def period(self) -> float:
        """Return the seconds to refill an empty bucket (how long a grant is kept)."""
        return self.burst / self.rate

    @property
    def allowance(self) -> float:
        """Return how long after sending an unanswered request may still be counted."""
        return self.period * PERIOD_MARGIN + ARRIVAL_JITTER

    @property
    def label(self) -> str:
        """Return the limit's name in shared (Redis) keys."""
        return f"bucket:{self.rate:g}/s+{self.burst}"

    def fold(self, base: float, counted: float) -> float:
        """Return the summary of dropped grants after dropping one counted at ``counted``
        (the instant the dropped grants' tokens are all back, as a leaky bucket drains)."""
        return max(base, counted) + self.interval

    def earliest(self, grants: Grants, rank: int, base: float) -> float:
        """Return the earliest instant a request ordered after ``grants[:rank]`` (and after
        the dropped grants summarised by ``base``) may be counted."""
        interval, burst = self.interval, self.burst
        at = base + (rank + 1 - burst) * interval
        for index in range(rank - burst + 1):  # the k-th latest for k >= burst
            at = max(at, grants[index][0] + (rank - index + 1 - burst) * interval)
        return at


Limit = RateLimit | TokenBucket
"""A limit of an endpoint family: a window or a token bucket."""


@dataclass
class Permit:
    """A reserved slot: confirmed with :meth:`RateLimiter.confirm` right before sending and
    settled with :meth:`RateLimiter.settle` when the answer (or the failure) came."""

    key: str
    limits: tuple[Limit, ...]
    token: str
    waited: float = 0.0


class RateLimiter(ABC):
    """Reserve a slot under every limit of a key, sleep until it comes, confirm, go."""

    def __init__(self, sleep: Sleep = asyncio.sleep) -> None:
        self._sleep = sleep
        self._tokens = itertools.count()

    @abstractmethod
    async def reserve(
        self, key: str, limits: Sequence[Limit], token: str, *, sending: bool = False
    ) -> float:
        """Record the earliest allowed instant for ``token`` and return the seconds until it.

        Reserving a token again (after sleeping, or right before sending) counts the grants
        ordered before it and every grant already sent (one answered late is ordered late but
        was counted early), not the unsent ones queued behind it; it moves to an earlier slot
        when one opened (an earlier request was answered sooner than planned), keeps its place
        while its slot is still allowed (the tokens queued behind it go on counting it), and
        otherwise moves later. ``sending``: the request leaves now if the slot holds (it then
        counts for everyone, from now on if it leaves late).
        """

    async def acquire(self, key: str, limits: Sequence[Limit]) -> Permit:
        """Wait until a request under ``key`` may leave; return its permit."""
        permit = Permit(key, tuple(limits), f"{id(self)}:{next(self._tokens)}")
        if limits:
            permit.waited = await self._wait(permit, sending=False)
        return permit

    async def confirm(self, permit: Permit) -> None:
        """Record that the request leaves now (its connection is ready), waiting if an earlier
        grant moved; call it at the last moment before the request is written."""
        if permit.limits:
            permit.waited += await self._wait(permit, sending=True)

    async def settle(self, permit: Permit) -> None:
        """Record that the request's answer (or its failure) came now: the broker counted it
        by now, so its latest count instant is this one. Call it once per permit, whatever
        happened."""
        if permit.limits:
            await self._settle(permit)
        self.forget(permit)

    @abstractmethod
    async def _settle(self, permit: Permit) -> None:
        """Move the permit's grant in every limit to now (its latest count instant)."""

    async def _wait(self, permit: Permit, *, sending: bool) -> float:
        """Sleep until the permit's slot holds; return the time slept."""
        waited = 0.0
        key, limits, token = permit.key, permit.limits, permit.token
        delay = await self.reserve(key, limits, token, sending=sending)
        while delay > 0:
            await self._sleep(delay)
            waited += delay
            delay = await self.reserve(key, limits, token, sending=sending)
        return waited

    def forget(self, permit: Permit) -> None:  # noqa: B027 - only the local limiter keeps any
        """Drop the bookkeeping of a permit that is settled or was abandoned."""

    async def close(self) -> None:  # noqa: B027 - a no-op unless the limiter holds connections
        """Release connections; the default holds none."""


@dataclass
class _Ledger:
    """One limit's grants under one key and the summary of those dropped (see ``fold``)."""

    grants: Grants = field(default_factory=list)
    base: float = -math.inf


@dataclass
class _Sleeper:
    """A waiter of the local limiter: its permit, the future it awaits and its timer."""

    permit: Permit
    wake: asyncio.Future[None]
    timer: asyncio.TimerHandle


def _release(wake: asyncio.Future[None]) -> None:
    if not wake.done():
        wake.set_result(None)


class LocalRateLimiter(RateLimiter):
    """Budgets kept in this process (the default without Redis).

    Reservations are made without awaiting, so the event loop serialises them; one instance is
    shared by every client of the process (see :func:`local_rate_limiter`). A waiter sleeps on
    a timer the limiter owns: when an answer frees a slot sooner, the limiter re-plans its
    waiters in order and moves only the timers of those whose slot came earlier, without
    waking any task that would only go back to sleep.
    """

    def __init__(
        self, sleep: Sleep = asyncio.sleep, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(sleep)
        self._clock = clock
        self._ledgers: dict[tuple[str, Limit], _Ledger] = {}
        self._held: dict[str, float] = {}
        self._unsent: set[str] = set()
        self._sleepers: dict[str, dict[str, _Sleeper]] = {}

    async def reserve(
        self, key: str, limits: Sequence[Limit], token: str, *, sending: bool = False
    ) -> float:
        """Return the seconds until the next slot allowed by every limit, and take it."""
        return self._plan(key, limits, token, sending)

    def _plan(self, key: str, limits: Sequence[Limit], token: str, sending: bool = False) -> float:
        """Do :meth:`reserve`'s work without awaiting (the settle path re-plans with it)."""
        now = self._clock()
        held = self._held.get(token)
        at = now
        places = []
        for limit in limits:
            ledger = self._ledgers.get((key, limit))
            if ledger is None:
                ledger = self._ledgers[key, limit] = _Ledger()
            grants = ledger.grants
            old = bisect_left(grants, (now - limit.period, ""))
            if old:
                for instant, _ in grants[:old]:
                    ledger.base = limit.fold(ledger.base, instant)
                del grants[:old]
            if held is None:
                rank, found = len(grants), False
                counted, ahead = grants, rank
            else:
                rank = bisect_left(grants, (held + limit.allowance, token))
                found = rank < len(grants) and grants[rank][1] == token
                unsent = self._unsent
                sent = [grant for grant in grants[rank + found :] if grant[1] not in unsent]
                counted = grants[:rank] + sent if sent else grants
                ahead = rank + len(sent)
            at = max(at, limit.earliest(counted, ahead, ledger.base))
            places.append((grants, limit, rank, found))
        if held is not None and held <= at <= max(now, held) and all(p[3] for p in places):
            if not sending:
                return max(0.0, held - now)
            at = max(now, held)  # leaving late: counted from now on
        for grants, limit, rank, found in places:
            if found:
                del grants[rank]
            insort(grants, (at + limit.allowance, token))
        self._held[token] = at
        if sending and at <= now:
            self._unsent.discard(token)
        else:
            self._unsent.add(token)
        return at - now

    async def _wait(self, permit: Permit, *, sending: bool) -> float:
        if self._sleep is not asyncio.sleep:  # an injected sleep (tests): plain sleeping
            return await super()._wait(permit, sending=sending)
        delay = self._plan(permit.key, permit.limits, permit.token, sending)
        if delay <= 0:
            return 0.0
        started = self._clock()
        loop = asyncio.get_running_loop()
        sleepers = self._sleepers.setdefault(permit.key, {})
        try:
            while delay > 0:
                wake = loop.create_future()
                sleeper = _Sleeper(permit, wake, loop.call_later(delay, _release, wake))
                sleepers[permit.token] = sleeper
                try:
                    await wake
                finally:
                    sleeper.timer.cancel()
                    del sleepers[permit.token]
                delay = self._plan(permit.key, permit.limits, permit.token, sending)
        finally:
            if not sleepers:
                self._sleepers.pop(permit.key, None)
        return self._clock() - started

    def _replan(self, key: str) -> None:
        """Move the sleepers of ``key`` whose slot came earlier, first planned first; stop
        at the first that gains nothing (the rest are planned against its slot)."""
        sleepers = self._sleepers.get(key)
        if not sleepers:
            return
        loop = asyncio.get_running_loop()
        for token in sorted(sleepers, key=self._held.__getitem__):
            sleeper = sleepers[token]
            planned = self._held[token]
            delay = self._plan(key, sleeper.permit.limits, token)
            if self._held[token] >= planned:
                return
            sleeper.timer.cancel()
            if delay <= 0:
                _release(sleeper.wake)
            else:
                sleeper.timer = loop.call_later(delay, _release, sleeper.wake)

    async def _settle(self, permit: Permit) -> None:
        sent = self._held.get(permit.token)
        if sent is None:
            return
        answered = self._clock() + COUNT_MARGIN
        sooner = False
        for limit in permit.limits:
            ledger = self._ledgers.get((permit.key, limit))
            if ledger is None:
                continue
            grants = ledger.grants
            provisional = sent + limit.allowance
            rank = bisect_left(grants, (provisional, permit.token))
            if rank < len(grants) and grants[rank][1] == permit.token:
                del grants[rank]
                insort(grants, (answered, permit.token))
                sooner = sooner or answered < provisional
        if sooner:
            self._replan(permit.key)

    def forget(self, permit: Permit) -> None:
        """Drop the permit's reserved instant from the bookkeeping (its grant stays)."""
        self._held.pop(permit.token, None)
        self._unsent.discard(permit.token)


_RESERVE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local token = ARGV[#ARGV]
local sending = ARGV[#ARGV - 1] == '1'
local unsent = KEYS[#KEYS]
local at = now
local held = nil
local found = true
for i = 1, (#KEYS - 1) / 2 do
  local key, basekey = KEYS[2 * i - 1], KEYS[2 * i]
  local bucket = ARGV[5 * i - 4] == 'bucket'
  local calls = tonumber(ARGV[5 * i - 3])
  local period = tonumber(ARGV[5 * i - 2])
  local allowance = tonumber(ARGV[5 * i - 1])
  local interval = tonumber(ARGV[5 * i])
  local cutoff = '(' .. string.format('%.6f', now - period)
  local base = nil
  if bucket then
    local saved = redis.call('GET', basekey)
    if saved then
      base = tonumber(saved)
    end
    local old = redis.call('ZRANGEBYSCORE', key, '-inf', cutoff, 'WITHSCORES')
    for j = 2, #old, 2 do
      base = math.max(base or -math.huge, tonumber(old[j])) + interval
    end
    if #old > 0 then
      local keep = math.ceil((math.max(0, base - now) + period) * 1000) + 1000
      redis.call('SET', basekey, string.format('%.6f', base), 'PX', keep)
    end
  end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', cutoff)
  -- counted: the latest count instants, ascending, of the grants this token must count
  -- (a window needs only its calls-th latest, so it skips the older ones)
  local counted = {}
  local rank = redis.call('ZRANK', key, token)
  local total = rank or redis.call('ZCARD', key)
  local first = 0
  if not bucket then
    first = math.max(0, total - calls - 1)
  end
  if total > first then
    local before = redis.call('ZRANGE', key, first, total - 1, 'WITHSCORES')
    for j = 2, #before, 2 do
      counted[#counted + 1] = tonumber(before[j])
    end
  end
  local n = first + #counted
  if not rank then
    found = false
  else
    held = tonumber(redis.call('ZSCORE', key, token)) - allowance
    local after = redis.call('ZRANGE', key, rank + 1, -1, 'WITHSCORES')
    for j = 1, #after, 2 do
      if redis.call('SISMEMBER', unsent, after[j]) == 0 then
        counted[#counted + 1] = tonumber(after[j + 1])
        n = n + 1
      end
    end
  end
  local offset = n - #counted
  if not bucket then
    if n >= calls then
      at = math.max(at, counted[n - calls - offset + 1] + period)
    end
  else
    if base then
      at = math.max(at, base + (n + 1 - calls) * interval)
    end
    for index = 0, n - calls do
      at = math.max(at, counted[index + 1] + (n - index + 1 - calls) * interval)
    end
  end
end
local longest = 0
for i = 1, (#KEYS - 1) / 2 do
  longest = math.max(longest, tonumber(ARGV[5 * i - 2]) + tonumber(ARGV[5 * i - 1]))
end
if held and found and held <= at + 0.000002 and at <= math.max(now, held) + 0.000002 then
  if not sending then
    return string.format('%.6f', math.max(0, held - now))
  end
  at = math.max(now, held)
end
for i = 1, (#KEYS - 1) / 2 do
  local key = KEYS[2 * i - 1]
  local period = tonumber(ARGV[5 * i - 2])
  local allowance = tonumber(ARGV[5 * i - 1])
  redis.call('ZADD', key, string.format('%.6f', at + allowance), token)
  redis.call('PEXPIRE', key, math.ceil((at - now + allowance + period) * 1000) + 1000)
end
if sending and at <= now then
  redis.call('SREM', unsent, token)
else
  redis.call('SADD', unsent, token)
  redis.call('PEXPIRE', unsent, math.ceil((at - now + longest) * 1000) + 1000)
end
return string.format('%.6f', at - now)
"""

_SETTLE_SCRIPT = """
local t = redis.call('TIME')
local answered = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[1])
local keep = math.ceil(tonumber(ARGV[3]) * 1000) + 1000
for i = 1, #KEYS - 1 do
  redis.call('ZADD', KEYS[i], 'XX', string.format('%.6f', answered), ARGV[2])
  if redis.call('PTTL', KEYS[i]) < keep then
    redis.call('PEXPIRE', KEYS[i], keep)
  end
end
redis.call('SREM', KEYS[#KEYS], ARGV[2])
return 1
"""


class RedisRateLimiter(RateLimiter):
    """Budgets shared by every process through Redis (``BROKERHUB_REDIS_URL``).

    Each limit of a key is a sorted set of grants scored by their latest count instant (a
    bucket also keeps the summary of its dropped grants in a string key, and a set per key
    holds the grants not sent yet); one Lua script reads
    the Redis clock, finds the earliest instant every limit allows (as the local limiter
    computes it) and records it in all of them, so concurrent processes never both take the
    last slot; another moves a grant to the instant its answer came.
    """

    def __init__(self, url: str, *, prefix: str = "brokerhub:ratelimit:") -> None:
        super().__init__()
        self._redis: Redis = Redis.from_url(url)
        self._script = self._redis.register_script(_RESERVE_SCRIPT)
        self._settle_script = self._redis.register_script(_SETTLE_SCRIPT)
        self._prefix = prefix
        self._instance = uuid.uuid4().hex

    def _key(self, key: str, limit: Limit) -> str:
        return f"{self._prefix}{key}:{limit.label}"

    def _unsent_key(self, key: str) -> str:
        return f"{self._prefix}{key}:unsent"

    async def reserve(
        self, key: str, limits: Sequence[Limit], token: str, *, sending: bool = False
    ) -> float:
        """Return the seconds until the next slot allowed by every limit, and take it."""
        keys: list[str] = []
        args: list[str] = []
        for limit in limits:
            name = self._key(key, limit)
            keys += [name, f"{name}:base"]
            if isinstance(limit, TokenBucket):
                args += ["bucket", str(limit.burst), repr(limit.period)]
                args += [repr(limit.allowance), repr(limit.interval)]
            else:
                args += ["window", str(limit.calls), repr(limit.period)]
                args += [repr(limit.allowance), "0"]
        keys.append(self._unsent_key(key))
        args += ["1" if sending else "0", f"{self._instance}:{token}"]
        result = await self._script(keys=keys, args=args)
        return float(result)

    async def _settle(self, permit: Permit) -> None:
        keys = [self._key(permit.key, limit) for limit in permit.limits]
        await self._settle_script(
            keys=[*keys, self._unsent_key(permit.key)],
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
