"""Pacing: bursts stay under the broker's limit, waiters sleep once, answered requests free
their token a period after the answer, token buckets are paced at their rate, Redis shares
budgets and computes the same slots."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence

import pytest
import redis

from brokerhub.brokers.http import (
    HttpClient,
    LocalRateLimiter,
    RateLimit,
    RedisRateLimiter,
    TokenBucket,
)
from tests.conftest import REDIS_URL, require_service


def max_in_window(times: Sequence[float], window: float) -> int:
    """Return the most events in any half-open window of ``window`` seconds."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def bucket_rejections(times: Sequence[float], rate: float, burst: int) -> int:
    """Return how many of ``times`` a full token bucket of ``burst`` at ``rate``/s refuses."""
    tokens, last, refused = float(burst), None, 0
    for at in sorted(times):
        if last is not None:
            tokens = min(float(burst), tokens + (at - last) * rate)
        last = at
        if tokens < 1.0 - 1e-9:
            refused += 1
        else:
            tokens -= 1.0
    return refused


SLIDING_WINDOW_BROKER = """
import asyncio, sys, time
from collections import deque
from aiohttp import web

calls, period = int(sys.argv[1]), float(sys.argv[2])
rate, burst = float(sys.argv[3]), float(sys.argv[4])
arrivals, accepted, rejected = deque(), [], [0]
bucket = [burst, time.monotonic()]

async def limited(request):
    now = time.monotonic()
    if request.path == "/bucket":
        bucket[0] = min(burst, bucket[0] + (now - bucket[1]) * rate)
        bucket[1] = now
        if bucket[0] < 1.0:
            rejected[0] += 1
            return web.Response(status=429)
        bucket[0] -= 1.0
        accepted.append(now)
        return web.json_response({})
    while arrivals and now - arrivals[0] >= period:
        arrivals.popleft()
    if len(arrivals) >= calls:
        rejected[0] += 1
        if request.path == "/etrade":
            return web.Response(
                status=400, text="<html>Number of requests exceeded the rate limit set</html>"
            )
        return web.Response(status=429)
    arrivals.append(now)
    accepted.append(now)
    return web.json_response({})

async def stats(request):
    return web.json_response({"accepted": accepted, "rejected": rejected[0]})

async def main():
    app = web.Application()
    app.router.add_get("/stats", stats)
    app.router.add_get("/{name}", limited)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


@pytest.fixture
def sliding_window_broker() -> Iterator[str]:
    """Run a broker in its own process that refuses the 101st request in any 1 s window
    (``/bucket``: a token bucket of 10 refilled at 100/s instead)."""
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SLIDING_WINDOW_BROKER, "100", "1.0", "100", "10"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    port = int(server.stdout.readline())
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.communicate(timeout=10)


@pytest.mark.parametrize("path", ["/alpaca", "/etrade"])
async def test_a_burst_of_500_is_paced_under_the_limit(
    sliding_window_broker: str, path: str
) -> None:
    limits = {"accounts": [RateLimit(100, 1.0)]}
    async with HttpClient(
        broker="test",
        base_url=sliding_window_broker,
        rate_limits=limits,
        limit_scope=uuid.uuid4().hex,
        limiter=LocalRateLimiter(),
    ) as client:
        started = time.monotonic()
        await asyncio.gather(*(client.get(path, family="accounts") for _ in range(500)))
        elapsed = time.monotonic() - started
        stats = (await client.get("/stats")).json()
    assert stats["rejected"] == 0
    assert len(stats["accepted"]) == 500
    assert max_in_window([float(t) for t in stats["accepted"]], 1.0) <= 100
    # Four full windows must pass; the pacer wastes little beyond them.
    assert 4.0 <= elapsed < 7.0


async def test_a_token_bucket_broker_gets_its_rate_without_rejection(
    sliding_window_broker: str,
) -> None:
    async with HttpClient(
        broker="test",
        base_url=sliding_window_broker,
        rate_limits={"accounts": [TokenBucket(100, 10)]},
        limit_scope=uuid.uuid4().hex,
        limiter=LocalRateLimiter(),
        pool_size=20,
    ) as client:
        await asyncio.gather(*(client.get("/bucket", family="accounts") for _ in range(310)))
        stats = (await client.get("/stats")).json()
    accepted = sorted(float(t) for t in stats["accepted"])
    assert stats["rejected"] == 0
    assert len(accepted) == 310
    # A burst of 10, then 300 at 100/s: 3 s. As the window RateLimit(10, 0.1) it would take
    # 31 refills of (100 ms + the answer time + 1 ms), over 3.1 s.
    assert 2.95 <= accepted[-1] - accepted[0] < 3.1


async def test_a_token_bucket_spends_its_burst_then_paces_at_its_rate() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = LocalRateLimiter(sleep=sleep, clock=lambda: now[0])
    bucket = TokenBucket(100, 10)
    sent, answered = [], []
    for _ in range(60):
        permit = await limiter.acquire("k", [bucket])
        await limiter.confirm(permit)
        sent.append(now[0])
        now[0] += 0.004  # the answer comes 4 ms later
        answered.append(now[0])
        await limiter.settle(permit)
        now[0] = sent[-1]  # the next request was queued all along
    assert sent[:10] == [0.0] * 10
    gaps = [later - earlier for earlier, later in itertools.pairwise(sent[10:])]
    assert gaps == pytest.approx([0.01] * len(gaps))
    # However the broker counted each request between sending and the answer, no refusal.
    assert bucket_rejections(sent, 100, 10) == 0
    assert bucket_rejections(answered, 100, 10) == 0


async def test_a_token_bucket_waits_for_unanswered_requests_to_count() -> None:
    limiter = LocalRateLimiter(sleep=lambda s: asyncio.sleep(0), clock=lambda: 0.0)
    bucket = TokenBucket(10, 2)  # refills in 0.2 s; unanswered requests count until 54 ms
    waits = [await limiter.reserve("k", [bucket], str(n)) for n in range(5)]
    assert waits == pytest.approx([0.0, 0.0, 0.154, 0.254, 0.354])


async def test_a_quick_answer_lets_the_next_waiter_leave_sooner() -> None:
    limiter = LocalRateLimiter()
    limit = RateLimit(1, 0.2)  # unanswered, a request holds its token 0.2 + 0.054 s
    started = time.monotonic()
    first = await limiter.acquire("k", [limit])
    await limiter.confirm(first)
    left: list[float] = []

    async def waiter() -> None:
        permit = await limiter.acquire("k", [limit])
        await limiter.confirm(permit)
        left.append(time.monotonic() - started)

    waiters = [asyncio.create_task(waiter()) for _ in range(2)]
    await asyncio.sleep(0.01)
    await limiter.settle(first)  # answered after 10 ms: its token is back at 0.211 s
    await asyncio.gather(*waiters)
    assert 0.2 <= left[0] < 0.25
    assert left[1] >= left[0] + 0.2


async def test_waiters_sleep_once_until_their_token() -> None:
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = LocalRateLimiter(sleep=sleep, clock=lambda: now[0])
    limit = RateLimit(10, 1.0)
    for _ in range(30):
        permit = await limiter.acquire("k", [limit])
        await limiter.confirm(permit)
    # One exact sleep per wait for the next token; never a polling loop.
    assert slept == pytest.approx([1.07, 1.07])
    assert now[0] == pytest.approx(102.14)


async def test_a_settled_token_comes_back_a_period_after_its_answer() -> None:
    now = [100.0]
    limiter = LocalRateLimiter(sleep=lambda s: asyncio.sleep(0), clock=lambda: now[0])
    quick_limit, slow_limit = RateLimit(1, 0.1), RateLimit(1, 0.2)
    quick = await limiter.acquire("quick", [quick_limit])
    slow = await limiter.acquire("slow", [slow_limit])
    now[0] = 100.004
    await limiter.settle(quick)  # answered 4 ms after it left
    now[0] = 100.3
    await limiter.settle(slow)  # answered 300 ms after it left: counted as late as that
    now[0] = 100.004
    # Free a period (plus 1 ms) after the answer, not 2 % + 50 ms after sending.
    assert await limiter.reserve("quick", [quick_limit], "next") == pytest.approx(0.101)
    # A slow answer holds its token a period past the answer, beyond the allowance.
    assert await limiter.reserve("slow", [slow_limit], "later") == pytest.approx(0.497)


async def test_a_waiting_token_keeps_its_place_when_its_slot_holds() -> None:
    now = [0.0]
    limiter = LocalRateLimiter(sleep=lambda s: asyncio.sleep(0), clock=lambda: now[0])
    limit = RateLimit(1, 1.0)
    first = await limiter.acquire("k", [limit])
    assert await limiter.reserve("k", [limit], "second") == pytest.approx(1.07)
    assert await limiter.reserve("k", [limit], "third") == pytest.approx(2.14)
    await limiter.settle(first)  # answered at once: "second" may go at 1.001
    now[0] = 1.08  # "second" wakes late; its grant stays where "third" counted it
    assert await limiter.reserve("k", [limit], "second") == 0.0
    now[0] = 2.14
    assert await limiter.reserve("k", [limit], "third") == 0.0


async def test_a_waiter_counts_a_request_answered_after_its_slot() -> None:
    now = [0.0]
    limiter = LocalRateLimiter(sleep=lambda s: asyncio.sleep(0), clock=lambda: now[0])
    limit = RateLimit(1, 1.0)
    slow = await limiter.acquire("k", [limit])
    await limiter.confirm(slow)
    assert await limiter.reserve("k", [limit], "next") == pytest.approx(1.07)
    now[0] = 1.5
    await limiter.settle(slow)  # answered at 1.5 s: the broker may have counted it then
    now[0] = 1.07  # "next" was due; it must wait a period after the slow answer
    assert await limiter.reserve("k", [limit], "next", sending=True) == pytest.approx(1.431)


async def test_every_window_of_a_family_is_respected() -> None:
    limiter = LocalRateLimiter(sleep=lambda s: asyncio.sleep(0), clock=lambda: 0.0)
    per_second, per_hour = RateLimit(2, 1.0), RateLimit(3, 3600.0)
    waits = [
        await limiter.reserve("etrade:accounts:u", [per_second, per_hour], str(n)) for n in range(4)
    ]
    assert waits[:2] == [0.0, 0.0]
    assert waits[2] == pytest.approx(1.07)
    assert waits[3] == pytest.approx(3600 * 1.02 + 0.05)


def test_rate_limit_validation() -> None:
    assert RateLimit.per_minute(120) == RateLimit(120, 60.0)
    assert RateLimit.per_hour(7000).period == 3600
    with pytest.raises(ValueError, match="invalid"):
        RateLimit(0, 1.0)
    with pytest.raises(ValueError, match="invalid"):
        TokenBucket(0, 10)
    with pytest.raises(ValueError, match="invalid"):
        TokenBucket(10, 0)


WORKER = """
import asyncio, json, sys, time
from brokerhub.brokers.http import RateLimit, RedisRateLimiter

async def main() -> None:
    limiter = RedisRateLimiter(sys.argv[1])
    limit = RateLimit(20, 0.5)
    times = []
    for _ in range(40):
        permit = await limiter.acquire(sys.argv[2], [limit])
        await limiter.confirm(permit)
        times.append(time.time())
    await limiter.close()
    print(json.dumps(times))

asyncio.run(main())
"""


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        require_service("redis", f"cannot reach {REDIS_URL}: {exc}")
    return REDIS_URL


def test_redis_limiter_holds_across_two_processes(redis_url: str) -> None:
    key = f"test:{uuid.uuid4().hex}"
    workers = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", WORKER, redis_url, key], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    times = [t for w in workers for t in json.loads(w.communicate(timeout=60)[0])]
    assert all(w.returncode == 0 for w in workers)
    assert len(times) == 80
    # Both processes drew on one budget: 80 grants of 20 per 0.5 s need 3 full windows.
    assert max(times) - min(times) >= 1.5
    # Stamps are taken after waking, so a descheduled process may stamp late: allow 50 ms.
    assert max_in_window(times, 0.45) <= 20


async def test_redis_limiter_settles_on_the_answer(redis_url: str) -> None:
    limiter = RedisRateLimiter(redis_url)
    try:
        key = f"test:{uuid.uuid4().hex}"
        limit = RateLimit(1, 10.0)
        permit = await limiter.acquire(key, [limit])
        await limiter.confirm(permit)
        await limiter.settle(permit)
        wait = await limiter.reserve(key, [limit], "next")
    finally:
        await limiter.close()
    assert wait == pytest.approx(10.001, abs=0.02)


async def test_redis_limiter_paces_like_the_local_one(redis_url: str) -> None:
    limiter = RedisRateLimiter(redis_url)
    try:
        key = f"test:{uuid.uuid4().hex}"
        waits = [await limiter.reserve(key, [RateLimit(5, 10.0)], str(n)) for n in range(6)]
    finally:
        await limiter.close()
    assert waits[:5] == [0.0] * 5
    assert waits[5] == pytest.approx(10.25, abs=0.05)


async def test_redis_token_bucket_takes_the_local_limiters_slots(redis_url: str) -> None:
    limits = [TokenBucket(20, 2), RateLimit(8, 1.0)]
    limiter = RedisRateLimiter(redis_url)
    try:
        key = f"test:{uuid.uuid4().hex}"
        await limiter.reserve(f"{key}:warm-up", limits, "0")  # connect, load the script
        started = time.monotonic()
        schedule: list[tuple[float, float]] = []
        for n in range(10):
            if n == 5:  # past the bucket's period: its first grants are folded, not forgotten
                await asyncio.sleep(0.15)
            before = time.monotonic()
            wait = await limiter.reserve(key, limits, str(n))
            schedule.append(((before + time.monotonic()) / 2 - started, wait))
    finally:
        await limiter.close()
    now = [0.0]
    local = LocalRateLimiter(sleep=lambda s: asyncio.sleep(0), clock=lambda: now[0])
    expected = []
    for n, (at, _) in enumerate(schedule):
        now[0] = at
        expected.append(await local.reserve("k", limits, str(n)))
    assert [wait for _, wait in schedule] == pytest.approx(expected, abs=0.01)
    ninth_at, ninth_wait = schedule[8]
    assert ninth_at + ninth_wait > 1.0  # the window (8 per second) bound the ninth


async def test_redis_waiter_counts_a_request_answered_after_its_slot(redis_url: str) -> None:
    limiter = RedisRateLimiter(redis_url)
    try:
        key = f"test:{uuid.uuid4().hex}"
        limit = RateLimit(1, 0.3)
        slow = await limiter.acquire(key, [limit])
        await limiter.confirm(slow)
        assert await limiter.reserve(key, [limit], "next") == pytest.approx(0.356, abs=0.02)
        await asyncio.sleep(0.5)
        await limiter.settle(slow)  # answered after "next" was due: counted up to now
        wait = await limiter.reserve(key, [limit], "next", sending=True)
    finally:
        await limiter.close()
    assert wait == pytest.approx(0.301, abs=0.02)
