"""G3: how much of a broker's budget a client gets, with no rejection, vs ccxt's throttler.

Server: :mod:`bench.pacing_server` on :data:`SERVER_CPU`, playing a broker shape scaled up
to 100 req/s: a token bucket of 100 per second with a burst of 10 (an empty bucket answers
429 with Retry-After), plus an E*TRADE-style sliding window of 100 requests per second that
answers **HTTP 400** with E*TRADE's HTML over-limit page, not 429, when exceeded.
Both clients keep :data:`WORKERS` requests queued for :data:`SECONDS` (30 s) of
``GET /v2/positions`` (canned Alpaca body), on :data:`CLIENT_CPU`:

* hub: :class:`~brokerhub.brokers.http.HttpClient` with the family's limits declared as the
  broker documents them, ``TokenBucket(100, 10)`` (the bucket: 10 at once, then 100/s) and
  ``RateLimit(100, 1.0)`` (the window), a fresh :class:`LocalRateLimiter` per run and the
  default retry policy (a 429/400 would be retried; the server still counts it).
* peer: ccxt's ``Throttler`` as ``ccxt.async_support.Exchange`` builds it for
  ``rateLimit = 10`` ms (leaky bucket, capacity 1, 1 ms poll) in front of a plain
  ``aiohttp.ClientSession`` of the same pool size; a rejection is counted, not retried.

The allowed budget of a run of T seconds is what the server's rules admit in T seconds:
``min(burst + rate * T, window_calls * ceil(T / window))`` = 3000 for 30 s. A side's figure is
the requests the server accepted in the T seconds after its first accepted one, over that
budget; rejections are what the server refused (429 + 400) during the run.
Goal: hub >= 97 % of the budget with zero rejections. Three interleaved runs, medians.
"""

from __future__ import annotations

import asyncio
import logging
import math
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from ccxt.async_support.base.throttler import Throttler

from bench.harness import RUNS, BenchResult, Figures, interleave, main, pin_self, timed
from bench.pacing_server import alpaca_positions_body, canned_server, reset, stats
from brokerhub.brokers.http import HttpClient, LocalRateLimiter, RateLimit, TokenBucket
from brokerhub.errors import BrokerHubError
from brokerhub.logging import configure_logging

RATE = 100.0
BURST = 10
WINDOW_CALLS = 100
WINDOW_SECONDS = 1.0
SECONDS = 30.0
WORKERS = 20
GOAL = 0.97
PATH = "/v2/positions"
HUB_LIMITS = (TokenBucket(RATE, BURST), RateLimit(WINDOW_CALLS, WINDOW_SECONDS))


def allowed_budget(seconds: float) -> int:
    """Return the most requests the server's two rules admit in ``seconds``."""
    bucket = BURST + RATE * seconds
    window = WINDOW_CALLS * math.ceil(seconds / WINDOW_SECONDS)
    return int(min(bucket, window))


def ccxt_bucket() -> dict[str, object]:
    """Return the token bucket ccxt's Exchange builds for ``rateLimit = 1000 / RATE`` ms."""
    return {
        "delay": 0.001,
        "capacity": 1,
        "cost": 1,
        "refillRate": RATE / 1000,
        "algorithm": "leakyBucket",
        "windowSize": 0.0,
        "rateLimit": 1000 / RATE,
    }


async def _drive(send: Callable[[], Awaitable[bool]], seconds: float) -> tuple[int, int]:
    """Keep WORKERS sends going until ``seconds`` pass; return (ok, failed) as seen."""
    deadline = time.monotonic() + seconds
    counts = [0, 0]

    async def worker() -> None:
        while time.monotonic() < deadline:
            counts[0 if await send() else 1] += 1

    await asyncio.gather(*(worker() for _ in range(WORKERS)))
    return counts[0], counts[1]


def _figures(base: str, body: Callable[[], Awaitable[tuple[int, int]]], seconds: float) -> Figures:
    reset(base)
    with timed() as timing:
        _, failed = asyncio.run(body())
    seen = stats(base, times=True)
    times: list[float] = seen["times"]
    within = sum(1 for at in times if at < times[0] + seconds) if times else 0
    sent = seen["accepted"] + seen["rejected_429"] + seen["rejected_400"]
    return {
        "budget_fraction": within / allowed_budget(seconds),
        "accepted": within,
        "rejected_429": seen["rejected_429"],
        "rejected_400": seen["rejected_400"],
        "client_errors": failed,
        "cpu_us_per_call": timing[0].cpu / max(1, sent) * 1e6,
    }


def run_hub(base: str, seconds: float) -> Figures:
    """Drive the hub's HttpClient with the broker's two limits for ``seconds``."""

    async def body() -> tuple[int, int]:
        async with HttpClient(
            broker="bench",
            base_url=base,
            rate_limits={"accounts": HUB_LIMITS},
            limiter=LocalRateLimiter(),
            pool_size=WORKERS,
        ) as client:

            async def send() -> bool:
                try:
                    await client.get(PATH, family="accounts")
                except BrokerHubError:
                    return False
                return True

            return await _drive(send, seconds)

    return _figures(base, body, seconds)


def run_ccxt(base: str, seconds: float) -> Figures:
    """Drive aiohttp behind ccxt's Throttler at the same rate for ``seconds``."""

    async def body() -> tuple[int, int]:
        throttler = Throttler(ccxt_bucket())
        connector = aiohttp.TCPConnector(limit=WORKERS)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def send() -> bool:
                await throttler(1)
                async with session.get(base + PATH) as answer:
                    await answer.read()
                    return answer.status == 200

            return await _drive(send, seconds)

    return _figures(base, body, seconds)


def run(scale: float = 1.0, runs: int = RUNS) -> BenchResult:
    """G3: share of a 100 req/s (burst 10) + 100/s-window budget used, hub vs ccxt."""
    configure_logging(logging.WARNING)
    pin_self()
    seconds = max(1.0, SECONDS * scale)
    with (
        tempfile.TemporaryDirectory() as folder,
        canned_server(
            alpaca_positions_body(),
            Path(folder),
            bucket=(RATE, BURST),
            window=(WINDOW_CALLS, WINDOW_SECONDS),
        ) as base,
    ):
        run_hub(base, 0.5)  # warm-up: imports, first connections
        run_ccxt(base, 0.5)
        medians = interleave(
            {"ccxt": lambda: run_ccxt(base, seconds), "hub": lambda: run_hub(base, seconds)},
            runs,
        )
    hub, peer = medians["hub"], medians["ccxt"]
    rejections = hub["rejected_429"] + hub["rejected_400"]
    return BenchResult(
        name="G3 pacing",
        goal=f"hub >= {GOAL:.0%} of the allowed budget with zero rejections",
        hub=hub,
        peers={"ccxt": peer},
        ratios={
            "hub budget used": hub["budget_fraction"],
            "ccxt budget used": peer["budget_fraction"],
        },
        passed=hub["budget_fraction"] >= GOAL and rejections == 0,
        notes=[
            f"server: bench.pacing_server, token bucket {RATE:g}/s burst {BURST} (429) + sliding "
            f"window {WINDOW_CALLS}/{WINDOW_SECONDS:g} s (HTTP 400 page), pinned apart",
            f"{seconds:g} s per run, {WORKERS} requests kept queued, budget "
            f"{allowed_budget(seconds)} requests; median of {runs} interleaved runs",
            "hub: HttpClient, TokenBucket(100, 10) + RateLimit(100, 1.0), LocalRateLimiter; "
            "ccxt: Throttler as Exchange builds it for rateLimit=10 ms (leaky bucket, cap 1)",
        ],
    )


if __name__ == "__main__":
    main(run)
