"""G2: fan-out, 2,000 GETs with 50 in flight, our transport vs raw aiohttp and httpx.

Server: :mod:`bench.pacing_server`, the **canned-response** server of G1 (a bare asyncio
protocol on uvloop, so the server is not what is measured), answering ``GET /v2/positions``
with 10 Alpaca positions; it runs on :data:`SERVER_CPU`, the clients on :data:`CLIENT_CPU`.

* hub: :class:`~brokerhub.brokers.http.HttpClient` (no rate limits declared, its default
  connect/read/total timeouts, retry policy, error mapping; logging at WARNING), body parsed
  by ``HttpResponse.json`` (numbers with a fraction as Decimal).
* aiohttp: a raw ``aiohttp.ClientSession`` with the same pool size, body read and
  ``json.loads``-ed.
* httpx: ``httpx.AsyncClient`` with the same pool size, ``response.json()``.

In each run every side opens its client and warms up with :data:`WARM_UP` calls; then fan-outs
of :data:`CALLS` calls with :data:`IN_FLIGHT` in flight alternate between the sides,
:data:`BATCHES` per side (httpx, 20x slower, one), timed for wall and this process's CPU. A
fan-out takes under half a second, so alternating them makes a burst of noise on this shared
machine hit every side alike. A discarded first run warms everything up (the first runs of
a process are slower); then three runs, medians.
Goal: hub calls/s >= 0.8x aiohttp and >= 10x httpx.AsyncClient.

This is also the measurement that chose aiohttp for the HTTP stack (httpx's pool collapses
under concurrency, encode/httpx#3215).
"""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path

import aiohttp
import httpx

from bench.harness import RUNS, BenchResult, Figures, main, median_figures, pin_self, ratio, timed
from bench.pacing_server import alpaca_positions_body, canned_server
from brokerhub.brokers.http import HttpClient
from brokerhub.logging import configure_logging

CALLS = 2000
WARM_UP = 200
BATCHES = 5
IN_FLIGHT = 50
POOL_SIZE = IN_FLIGHT * 2
POSITIONS = 10
AIOHTTP_GOAL = 0.8
HTTPX_GOAL = 10.0
PATH = "/v2/positions"

Call = Callable[[], Awaitable[list[object]]]
Client = Callable[[str], AbstractAsyncContextManager[Call]]


async def fan_out(call: Call, calls: int) -> None:
    """Make ``calls`` calls with at most :data:`IN_FLIGHT` in flight; check every answer."""
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one() -> None:
        async with gate:
            if len(await call()) != POSITIONS:
                raise RuntimeError("a call read the wrong number of positions")

    await asyncio.gather(*(one() for _ in range(calls)))


@asynccontextmanager
async def hub_client(base: str) -> AsyncIterator[Call]:
    """Yield a positions call through the hub's HttpClient."""
    async with HttpClient(broker="bench", base_url=base, pool_size=POOL_SIZE) as client:

        async def call() -> list[object]:
            positions: list[object] = (await client.get(PATH)).json()
            return positions

        yield call


@asynccontextmanager
async def aiohttp_client(base: str) -> AsyncIterator[Call]:
    """Yield a positions call through a raw aiohttp session."""
    connector = aiohttp.TCPConnector(limit=POOL_SIZE)
    async with aiohttp.ClientSession(connector=connector) as session:
        url = base + PATH

        async def call() -> list[object]:
            async with session.get(url) as response:
                positions: list[object] = json.loads(await response.read())
                return positions

        yield call


@asynccontextmanager
async def httpx_client(base: str) -> AsyncIterator[Call]:
    """Yield a positions call through httpx.AsyncClient."""
    limits = httpx.Limits(max_connections=POOL_SIZE)
    async with httpx.AsyncClient(base_url=base, limits=limits) as client:

        async def call() -> list[object]:
            positions: list[object] = (await client.get(PATH)).json()
            return positions

        yield call


async def one_run(base: str, calls: int, warm_up: int, batches: int) -> dict[str, Figures]:
    """Open every side's client, warm each up, then time ``batches`` fan-outs per side,
    alternating sides batch by batch (httpx, 20x slower, gets one); return each side's
    calls/s and CPU per call over its batches."""
    async with AsyncExitStack() as stack:
        callers = {
            name: await stack.enter_async_context(client(base)) for name, client in SIDES.items()
        }
        for call in callers.values():
            await fan_out(call, warm_up)
        wall = dict.fromkeys(callers, 0.0)
        cpu = dict.fromkeys(callers, 0.0)
        made = dict.fromkeys(callers, 0)
        for batch in range(batches):
            for name, call in callers.items():
                if name == "httpx" and batch:
                    continue
                with timed() as timing:
                    await fan_out(call, calls)
                wall[name] += timing[0].wall
                cpu[name] += timing[0].cpu
                made[name] += calls
    return {
        name: {
            "calls_per_s": made[name] / wall[name],
            "cpu_us_per_call": cpu[name] / made[name] * 1e6,
        }
        for name in callers
    }


SIDES: dict[str, Client] = {"aiohttp": aiohttp_client, "httpx": httpx_client, "hub": hub_client}


def run(scale: float = 1.0, runs: int = RUNS) -> BenchResult:
    """G2: fan-out calls/s, the hub's HttpClient vs raw aiohttp and httpx.AsyncClient."""
    configure_logging(logging.WARNING)
    pin_self()
    calls = max(IN_FLIGHT, round(CALLS * scale))
    warm_up = max(IN_FLIGHT, round(WARM_UP * scale))
    batches = max(1, round(BATCHES * scale))
    with (
        tempfile.TemporaryDirectory() as folder,
        canned_server(alpaca_positions_body(POSITIONS), Path(folder)) as base,
    ):
        asyncio.run(one_run(base, warm_up, warm_up, 1))  # discarded: first runs are slower
        collected = [asyncio.run(one_run(base, calls, warm_up, batches)) for _ in range(runs)]
    medians = {name: median_figures([run[name] for run in collected]) for name in SIDES}
    hub = medians.pop("hub")
    versus_aiohttp = ratio(hub["calls_per_s"], medians["aiohttp"]["calls_per_s"])
    versus_httpx = ratio(hub["calls_per_s"], medians["httpx"]["calls_per_s"])
    return BenchResult(
        name="G2 transport fan-out",
        goal=f"calls/s >= {AIOHTTP_GOAL}x aiohttp and >= {HTTPX_GOAL:.0f}x httpx.AsyncClient",
        hub=hub,
        peers=medians,
        ratios={"calls/s hub/aiohttp": versus_aiohttp, "calls/s hub/httpx": versus_httpx},
        passed=versus_aiohttp >= AIOHTTP_GOAL and versus_httpx >= HTTPX_GOAL,
        notes=[
            "server: bench.pacing_server, a canned-response server, 10 Alpaca positions",
            f"per run: {batches} fan-outs of {calls} calls with {IN_FLIGHT} in flight per side "
            f"(httpx: 1), alternating sides, after {warm_up} warm-up calls each; pool of "
            f"{POOL_SIZE} on every side; median of {runs} runs after a discarded one; client "
            "pinned to one CPU, server to the other",
            "hub: HttpClient with its default timeouts (connect 5 s, read 30 s, total 60 s), "
            "retry policy and error mapping, no rate limits declared",
        ],
    )


if __name__ == "__main__":
    main(run)
