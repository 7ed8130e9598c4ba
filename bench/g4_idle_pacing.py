"""G4: the CPU a client burns while it waits for its rate limit, vs ccxt's throttler.

Shape: 15 GETs queued at once, released one every 333 ms (Alpaca's spacing in ccxt,
``ccxt.alpaca.rateLimit = 333``), about 4.7 s of mostly waiting.
Hub: :class:`~brokerhub.brokers.http.HttpClient` with ``RateLimit(1, 0.333)`` on the family
(a fresh :class:`LocalRateLimiter` per run, logging at WARNING); all 15 calls are gathered.
Peer: ccxt's ``Throttler`` configured exactly as ``ccxt.async_support.Exchange`` configures it
for Alpaca (leaky bucket, capacity 1, refill 1/333 per ms, 1 ms poll delay) in front of a
plain ``aiohttp.ClientSession`` of the same pool size; all 15 calls are gathered.
Server: :mod:`bench.pacing_server` (canned Alpaca positions body, no limits) on
:data:`SERVER_CPU`; the client runs on :data:`CLIENT_CPU`.
Figure: this process's CPU time (``time.process_time``) over the whole paced run; also the wall
time and the mean spacing between requests as the server saw them.
Goal: hub CPU <= 0.1x ccxt's.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from ccxt.async_support.base.throttler import Throttler

from bench.harness import (
    RUNS,
    BenchResult,
    Figures,
    interleave,
    main,
    pin_self,
    ratio,
    timed,
)
from bench.pacing_server import alpaca_positions_body, canned_server, reset, stats
from brokerhub.brokers.http import HttpClient, LocalRateLimiter, RateLimit
from brokerhub.logging import configure_logging

REQUESTS = 15
SPACING_MS = 333
POOL = 10
GOAL = 0.1
PATH = "/v2/positions"


def ccxt_alpaca_bucket() -> dict[str, object]:
    """Return the token bucket ccxt's Exchange builds for ``rateLimit = 333`` (Alpaca)."""
    return {
        "delay": 0.001,
        "capacity": 1,
        "cost": 1,
        "refillRate": 1 / SPACING_MS,
        "algorithm": "leakyBucket",
        "windowSize": 0.0,
        "rateLimit": SPACING_MS,
    }


async def _paced(send: Callable[[], Awaitable[int]], count: int) -> list[int]:
    return list(await asyncio.gather(*(send() for _ in range(count))))


def _figures(base: str, body: Callable[[], Awaitable[list[int]]], count: int) -> Figures:
    reset(base)
    with timed() as timing:
        statuses = asyncio.run(body())
    seen = stats(base)
    if statuses.count(200) != count:
        raise RuntimeError(f"{count - statuses.count(200)} requests failed")
    spacing = (seen["last"] - seen["first"]) / max(1, seen["accepted"] - 1)
    return {
        "cpu_ms": timing[0].cpu * 1000,
        "wall_s": timing[0].wall,
        "spacing_ms": spacing * 1000,
    }


def run_hub(base: str, count: int) -> Figures:
    """Pace ``count`` GETs through the hub's HttpClient; return CPU, wall and spacing."""

    async def body() -> list[int]:
        limits = {"trading": [RateLimit(1, SPACING_MS / 1000)]}
        async with HttpClient(
            broker="bench",
            base_url=base,
            rate_limits=limits,
            limiter=LocalRateLimiter(),
            pool_size=POOL,
        ) as client:

            async def send() -> int:
                return (await client.get(PATH, family="trading")).status

            return await _paced(send, count)

    return _figures(base, body, count)


def run_ccxt(base: str, count: int) -> Figures:
    """Pace ``count`` GETs through ccxt's Throttler and aiohttp; return CPU, wall, spacing."""

    async def body() -> list[int]:
        throttler = Throttler(ccxt_alpaca_bucket())
        connector = aiohttp.TCPConnector(limit=POOL)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def send() -> int:
                await throttler(1)
                async with session.get(base + PATH) as answer:
                    await answer.read()
                    return answer.status

            return await _paced(send, count)

    return _figures(base, body, count)


def run(scale: float = 1.0, runs: int = RUNS) -> BenchResult:
    """G4: CPU while pacing 15 requests at 333 ms, hub vs ccxt's throttler."""
    configure_logging(logging.WARNING)
    pin_self()
    count = max(3, round(REQUESTS * scale))
    with (
        tempfile.TemporaryDirectory() as folder,
        canned_server(alpaca_positions_body(), Path(folder)) as base,
    ):
        run_hub(base, 2)  # warm-up: imports, first connections
        run_ccxt(base, 2)
        medians = interleave(
            {"ccxt": lambda: run_ccxt(base, count), "hub": lambda: run_hub(base, count)}, runs
        )
    hub, peer = medians["hub"], medians["ccxt"]
    cpu_ratio = ratio(hub["cpu_ms"], peer["cpu_ms"])
    return BenchResult(
        name="G4 idle pacing CPU",
        goal=f"hub CPU <= {GOAL}x ccxt's throttler",
        hub=hub,
        peers={"ccxt": peer},
        ratios={"cpu hub/ccxt": cpu_ratio},
        passed=cpu_ratio <= GOAL,
        notes=[
            f"{count} GETs gathered at once, one released every {SPACING_MS} ms; process CPU "
            "over the whole run (HTTP included on both sides), median of "
            f"{runs} interleaved runs",
            "server: bench.pacing_server canned positions body (no limits), pinned apart",
            "ccxt: Throttler with the bucket ccxt.async_support.Exchange builds for Alpaca "
            "(leaky bucket, 1 ms poll); hub: HttpClient + LocalRateLimiter, RateLimit(1, 0.333)",
        ],
    )


if __name__ == "__main__":
    main(run)
