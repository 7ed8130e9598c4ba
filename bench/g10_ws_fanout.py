"""G10: quote fan-out over WebSocket: brokerhub's ``/ws`` vs raw ``websockets.broadcast``.

Servers (:mod:`bench.g10_servers`, pinned to :data:`SERVER_CPU`): ``brokerhub serve`` with a
benchmark quote feed registered, and a raw ``websockets`` server broadcasting the hub's exact
frames. Both produce the quotes in-process with the same generator, stamped with the wall
clock when produced, so the hub's whole path counts: its upstream per symbol, its fan-out to
every subscriber (events/streams.py), each client's queue and writer (api/routes/ws.py).
Clients (this process, :data:`CLIENT_CPU`) use the ``websockets`` client on both sides and
send the hub's subscribe message.

Per run and side: 10 subscribers of one unpaced symbol (quotes as fast as the server's loop
lets the producer run); after a warm-up, the quote frames delivered to all of them in a fixed
window give msgs/s, and this process's CPU per message. Then 1,000 subscribers of one symbol
at :data:`LATENCY_RATE` quotes/s: the time from each quote's production to each subscriber
receiving it (p50, p99, max) over a fixed window. Three runs interleaved, medians; the max lag
is the worst of all runs. Goal: hub msgs/s >= 0.7x the peer and no subscriber more than 1 s
behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import resource
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from bench.g10_servers import BENCH_FEED, symbol_for
from bench.harness import (
    LOOPBACK,
    RUNS,
    BenchResult,
    Figures,
    background,
    free_port,
    interleave,
    main,
    pin_self,
    python_command,
    ratio,
    wait_for_http,
)

GOAL = 0.7
MAX_LAG_SECONDS = 1.0
FANOUT_SUBSCRIBERS = 10
LATENCY_SUBSCRIBERS = 1000
LATENCY_RATE = 5
WINDOW_SECONDS = 5.0
WARM_UP_SECONDS = 1.0
FIRST_QUOTE_DEADLINE = 60.0
QUOTE_PREFIX = '{"type":"quote"'
_runs = itertools.count(1)


@dataclass
class Tally:
    """What the subscribers of one measurement received while its window was open."""

    counting: bool = False
    received: int = 0
    lags: list[float] = field(default_factory=list)
    ready: int = 0


async def _subscriber(
    url: str,
    headers: Mapping[str, str],
    symbol: str,
    tally: Tally,
    *,
    timed: bool,
) -> None:
    async with connect(url, additional_headers=dict(headers), max_size=2**16) as socket:
        await socket.send(
            json.dumps({"action": "subscribe", "feed": BENCH_FEED, "symbols": [symbol]})
        )
        await _receive(socket, tally, timed=timed)


async def _receive(socket: ClientConnection, tally: Tally, *, timed: bool) -> None:
    first = True
    async for frame in socket:
        if not isinstance(frame, str) or not frame.startswith(QUOTE_PREFIX):
            continue
        if first:
            tally.ready += 1
            first = False
        if tally.counting:
            tally.received += 1
            if timed:
                produced = datetime.fromisoformat(json.loads(frame)["data"]["as_of"])
                tally.lags.append(time.time() - produced.timestamp())


@dataclass(frozen=True)
class Plan:
    """How long to warm up and to count, in seconds, and how many latency subscribers."""

    warm_up: float
    window: float
    latency_subscribers: int


async def _measure(
    url: str,
    headers: Mapping[str, str],
    symbol: str,
    subscribers: int,
    plan: Plan,
    *,
    timed: bool,
) -> tuple[Tally, float, float]:
    """Connect ``subscribers`` to ``symbol``; return the tally, window wall and client CPU."""
    tally = Tally()
    tasks = [
        asyncio.create_task(_subscriber(url, headers, symbol, tally, timed=timed))
        for _ in range(subscribers)
    ]
    try:
        deadline = time.monotonic() + FIRST_QUOTE_DEADLINE
        while tally.ready < subscribers:
            if time.monotonic() > deadline or any(task.done() for task in tasks):
                for task in tasks:
                    if task.done() and task.exception():
                        raise RuntimeError(f"a subscriber failed: {task.exception()!r}")
                raise RuntimeError(f"{tally.ready} of {subscribers} subscribers got quotes")
            await asyncio.sleep(0.05)
        await asyncio.sleep(plan.warm_up)
        tally.counting = True
        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.sleep(plan.window)
        tally.counting = False
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return tally, wall, cpu


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _side(url: str, headers: Mapping[str, str], plan: Plan) -> Figures:
    async def body() -> Figures:
        run = next(_runs)
        fanout, wall, cpu = await _measure(
            url, headers, symbol_for(0, run), FANOUT_SUBSCRIBERS, plan, timed=False
        )
        latency, latency_wall, _ = await _measure(
            url,
            headers,
            symbol_for(LATENCY_RATE, run),
            plan.latency_subscribers,
            plan,
            timed=True,
        )
        if not fanout.received or not latency.lags:
            raise RuntimeError("no quote arrived inside the measurement window")
        return {
            "msgs_per_s": fanout.received / wall,
            "client_cpu_us_per_msg": cpu / fanout.received * 1e6,
            "lag_p50_ms": _percentile(latency.lags, 0.50) * 1000,
            "lag_p99_ms": _percentile(latency.lags, 0.99) * 1000,
            "lag_max_ms": max(latency.lags) * 1000,
            "latency_msgs_per_s": len(latency.lags) / latency_wall,
        }

    return asyncio.run(body())


def _raise_open_files_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


@contextmanager
def _hub(folder: Path) -> Iterator[tuple[str, dict[str, str]]]:
    port = free_port()
    env = {"BROKERHUB_HOME": str(folder / "home"), "PYTHONPATH": _repository()}
    command = python_command("bench.g10_servers", "hub", "--host", LOOPBACK, "--port", str(port))
    with background(command, env=env, log=folder / "hub.log") as process:
        wait_for_http(f"http://{LOOPBACK}:{port}/health", process)
        key = (folder / "home" / "demo-api-key").read_text().strip()
        yield f"ws://{LOOPBACK}:{port}/ws", {"Authorization": f"Bearer {key}"}


@contextmanager
def _peer(folder: Path) -> Iterator[str]:
    port = free_port()
    command = python_command("bench.g10_servers", "peer", "--host", LOOPBACK, "--port", str(port))
    env = {"PYTHONPATH": _repository()}
    with background(command, env=env, log=folder / "peer.log") as process:
        _wait_for_websocket(f"ws://{LOOPBACK}:{port}/", process.poll)
        yield f"ws://{LOOPBACK}:{port}/"


def _wait_for_websocket(url: str, exited: Callable[[], int | None]) -> None:
    async def probe() -> None:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                async with connect(url):
                    return
            if exited() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not start")
            await asyncio.sleep(0.05)

    asyncio.run(probe())


def _repository() -> str:
    return str(Path(__file__).resolve().parent.parent)


def run(*, scale: float = 1.0, runs: int = RUNS) -> BenchResult:
    """Fan quotes out to 10 and 1,000 WebSocket subscribers: hub vs websockets.broadcast."""
    plan = Plan(
        warm_up=WARM_UP_SECONDS * scale,
        window=max(0.5, WINDOW_SECONDS * scale),
        latency_subscribers=max(FANOUT_SUBSCRIBERS, round(LATENCY_SUBSCRIBERS * scale)),
    )
    _raise_open_files_limit(4 * plan.latency_subscribers + 256)
    pin_self()
    collected: dict[str, list[Figures]] = {"hub": [], "websockets_broadcast": []}

    def recorded(name: str, side: Callable[[], Figures]) -> Callable[[], Figures]:
        def measure() -> Figures:
            figures = side()
            collected[name].append(figures)
            return figures

        return measure

    with tempfile.TemporaryDirectory(prefix="bench-g10-") as tmp:
        folder = Path(tmp)
        with _hub(folder) as (hub_url, headers), _peer(folder) as peer_url:
            medians = interleave(
                {
                    "websockets_broadcast": recorded(
                        "websockets_broadcast", lambda: _side(peer_url, {}, plan)
                    ),
                    "hub": recorded("hub", lambda: _side(hub_url, headers, plan)),
                },
                runs,
            )
    hub, peer = medians["hub"], medians["websockets_broadcast"]
    for name, figures in medians.items():
        figures["lag_max_ms"] = max(run["lag_max_ms"] for run in collected[name])
    throughput = ratio(hub["msgs_per_s"], peer["msgs_per_s"])
    return BenchResult(
        name="G10 WebSocket fan-out",
        goal=">= 0.7x websockets.broadcast msgs/s; max lag < 1 s",
        hub=hub,
        peers={"websockets_broadcast": peer},
        ratios={"msgs_per_s": throughput},
        passed=throughput >= GOAL and hub["lag_max_ms"] < MAX_LAG_SECONDS * 1000,
        notes=[
            f"{FANOUT_SUBSCRIBERS} subscribers of one unpaced symbol for msgs/s; "
            f"{plan.latency_subscribers} subscribers of one symbol at {LATENCY_RATE} quotes/s "
            f"for lag (production to receipt); {plan.window:.1f} s windows after "
            f"{plan.warm_up:.1f} s warm-up, {runs} runs each, interleaved; "
            "lag_max is the worst of all runs; quotes made in the server by one generator "
            "(bench/g10_servers.py), permessage-deflate on both sides (their defaults)",
        ],
    )


if __name__ == "__main__":
    main(run)
