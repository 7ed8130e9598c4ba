"""Transport fan-out benchmark: 2,000 GETs with 50 in flight against one loopback server.

Peers measured in the same run, same server, same pool size: raw ``aiohttp.ClientSession``,
``httpx.AsyncClient``, httpx over the ``httpx-aiohttp`` transport, and the hub's
:class:`~brokerhub.brokers.http.HttpClient` (rate limits off, logging at WARNING). Each side
runs 3 times and the median is kept. The server runs in its own process. Prints a table and,
on the last line, the ratios; writes bench/results/latest.json.

Run: ``make bench`` (or ``uv run python bench/transport_bench.py``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import httpx
import httpx_aiohttp

from brokerhub.brokers.http import HttpClient
from brokerhub.logging import configure_logging

CALLS = 2000
IN_FLIGHT = 50
RUNS = 3
RESULTS = Path(__file__).parent / "results" / "latest.json"

SERVER = """
import asyncio
from aiohttp import web

BODY = b'{"positions":[{"symbol":"AAPL","qty":"10","price":"187.10"}]}'

async def positions(request):
    return web.Response(body=BODY, content_type="application/json")

async def main():
    app = web.Application()
    app.router.add_get("/v2/positions", positions)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""

Call = Callable[[], Awaitable[object]]


async def fan_out(call: Call) -> float:
    """Return calls/s for CALLS calls with IN_FLIGHT at a time."""
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one() -> None:
        async with gate:
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(CALLS)))
    return CALLS / (time.perf_counter() - started)


async def raw_aiohttp(url: str) -> float:
    connector = aiohttp.TCPConnector(limit=IN_FLIGHT * 2)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def call() -> object:
            async with session.get(url) as response:
                return json.loads(await response.read())

        return await fan_out(call)


async def httpx_client(url: str) -> float:
    limits = httpx.Limits(max_connections=IN_FLIGHT * 2)
    async with httpx.AsyncClient(limits=limits) as client:

        async def call() -> object:
            return (await client.get(url)).json()

        return await fan_out(call)


async def httpx_over_aiohttp(url: str) -> float:
    async with httpx.AsyncClient(transport=httpx_aiohttp.AiohttpTransport()) as client:

        async def call() -> object:
            return (await client.get(url)).json()

        return await fan_out(call)


async def hub_transport(url: str) -> float:
    base, path = url.rsplit("/v2/", 1)
    async with HttpClient(broker="bench", base_url=base, pool_size=IN_FLIGHT * 2) as client:

        async def call() -> object:
            return (await client.get("/v2/" + path)).json()

        return await fan_out(call)


PEERS = {
    "aiohttp": raw_aiohttp,
    "httpx": httpx_client,
    "httpx_aiohttp": httpx_over_aiohttp,
    "hub": hub_transport,
}


async def measure(url: str) -> dict[str, float]:
    runs: dict[str, list[float]] = {name: [] for name in PEERS}
    for _ in range(RUNS):
        for name, peer in PEERS.items():
            runs[name].append(await peer(url))
    return {name: statistics.median(values) for name, values in runs.items()}


def main() -> None:
    configure_logging(logging.WARNING)
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        medians = asyncio.run(measure(f"http://127.0.0.1:{port}/v2/positions"))
    finally:
        server.terminate()
        server.communicate(timeout=10)
    ratios = {
        "hub/aiohttp": medians["hub"] / medians["aiohttp"],
        "hub/httpx": medians["hub"] / medians["httpx"],
        "httpx_aiohttp/aiohttp": medians["httpx_aiohttp"] / medians["aiohttp"],
    }
    for name, value in medians.items():
        print(f"{name:>14}: {value:8.0f} calls/s  ({CALLS} calls, {IN_FLIGHT} in flight)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"calls_per_second": medians, "ratios": ratios}, indent=2) + "\n")
    print("ratios: " + "  ".join(f"{k}={v:.2f}" for k, v in ratios.items()))


if __name__ == "__main__":
    main()
