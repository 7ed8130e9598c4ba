"""G1: one typed positions read through our Alpaca adapter vs alpaca-py, same server.

Server: :mod:`bench.pacing_server`, a **canned-response** server (not the Alpaca emulator:
the emulator's Starlette app and simulated exchange cost more per request than either client,
so it would hide the difference being measured). It answers ``GET /v2/positions`` with 10
positions and ``GET /v2/account`` with an account, both exactly as the Alpaca emulator writes
them, and runs on :data:`SERVER_CPU`; the clients run on :data:`CLIENT_CPU`.

* hub: ``AlpacaAdapter.positions(account_id)``, awaited one call at a time: the full product
  path (HttpClient with its rate-limit bookkeeping, retry policy, error mapping, Alpaca's key
  auth, the wire model, the core ``Position``). Alpaca's 200/min budget would allow 3
  calls/s, so the family's limit is raised to 10^9 per minute: still reserved and settled
  on every call, never waited on. Logging at WARNING.
* peer: alpaca-py ``TradingClient(url_override=...).get_all_positions()``, one call at a time
  (requests session, its own pydantic ``Position`` models).

Figures: calls/s over :data:`CALLS` calls after :data:`WARM_UP` warm-up calls, and this
process's CPU per call (``time.process_time``). Three interleaved runs, medians.
Goal: hub calls/s >= 2.0x alpaca-py and hub CPU per call <= 0.5x.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from alpaca.trading.client import TradingClient

from bench.harness import RUNS, BenchResult, Figures, interleave, main, pin_self, ratio, timed
from bench.pacing_server import alpaca_account_body, alpaca_positions_body, canned_server
from brokerhub.brokers.alpaca import AlpacaAdapter
from brokerhub.brokers.alpaca.config import DATA_FAMILY, TRADING_FAMILY, load_config
from brokerhub.brokers.http import RateLimit
from brokerhub.logging import configure_logging

CALLS = 3000
WARM_UP = 300
POSITIONS = 10
SPEED_GOAL = 2.0
CPU_GOAL = 0.5
KEY_ID, SECRET = "PKBENCH", "bench-secret"
UNBOUNDED = {
    TRADING_FAMILY: (RateLimit.per_minute(10**9),),
    DATA_FAMILY: (RateLimit.per_minute(10**9),),
}


def _figures(calls: int, wall: float, cpu: float) -> Figures:
    return {"calls_per_s": calls / wall, "cpu_us_per_call": cpu / calls * 1e6}


def run_hub(base: str, calls: int, warm_up: int = WARM_UP) -> Figures:
    """Read positions ``calls`` times through the adapter; return calls/s and CPU per call."""
    config = load_config({"api_key_id": KEY_ID, "api_secret_key": SECRET, "base_url": base})

    async def body() -> Figures:
        adapter = AlpacaAdapter(config, rate_limits=UNBOUNDED)
        try:
            [account] = await adapter.accounts()
            for _ in range(warm_up):
                await adapter.positions(account.account_id)
            with timed() as timing:
                for _ in range(calls):
                    positions = await adapter.positions(account.account_id)
            if len(positions) != POSITIONS:
                raise RuntimeError(f"read {len(positions)} positions, not {POSITIONS}")
            return _figures(calls, timing[0].wall, timing[0].cpu)
        finally:
            await adapter.close()

    return asyncio.run(body())


def run_alpaca_py(base: str, calls: int, warm_up: int = WARM_UP) -> Figures:
    """Read positions ``calls`` times through alpaca-py; return calls/s and CPU per call."""
    client = TradingClient(KEY_ID, SECRET, paper=True, url_override=base)
    for _ in range(warm_up):
        client.get_all_positions()
    with timed() as timing:
        for _ in range(calls):
            positions = client.get_all_positions()
    if len(positions) != POSITIONS:
        raise RuntimeError(f"alpaca-py read {len(positions)} positions, not {POSITIONS}")
    client._session.close()
    return _figures(calls, timing[0].wall, timing[0].cpu)


def run(scale: float = 1.0, runs: int = RUNS) -> BenchResult:
    """G1: typed positions reads/s and CPU per call, our Alpaca adapter vs alpaca-py."""
    configure_logging(logging.WARNING)
    pin_self()
    calls = max(10, round(CALLS * scale))
    warm_up = max(5, round(WARM_UP * scale))
    with (
        tempfile.TemporaryDirectory() as folder,
        canned_server(
            alpaca_positions_body(POSITIONS),
            Path(folder),
            routes={"/v2/account": alpaca_account_body()},
        ) as base,
    ):
        medians = interleave(
            {
                "alpaca-py": lambda: run_alpaca_py(base, calls, warm_up),
                "hub": lambda: run_hub(base, calls, warm_up),
            },
            runs,
        )
    hub, peer = medians["hub"], medians["alpaca-py"]
    speed = ratio(hub["calls_per_s"], peer["calls_per_s"])
    cpu = ratio(hub["cpu_us_per_call"], peer["cpu_us_per_call"])
    return BenchResult(
        name="G1 adapter call cost",
        goal=f"calls/s >= {SPEED_GOAL}x alpaca-py and CPU per call <= {CPU_GOAL}x",
        hub=hub,
        peers={"alpaca-py": peer},
        ratios={"calls/s hub/alpaca-py": speed, "cpu/call hub/alpaca-py": cpu},
        passed=speed >= SPEED_GOAL and cpu <= CPU_GOAL,
        notes=[
            "server: bench.pacing_server, a canned-response server (the emulator's own cost "
            "would dominate), 10 positions and the account as the Alpaca emulator writes them",
            f"{calls} sequential calls per run after {warm_up} warm-up calls; median of "
            f"{runs} interleaved runs; client pinned to one CPU, server to the other",
            "hub: AlpacaAdapter.positions (HttpClient, limits reserved and settled but raised "
            "to 10^9/min, retry policy, error mapping, wire model -> core Position)",
        ],
    )


if __name__ == "__main__":
    main(run)
