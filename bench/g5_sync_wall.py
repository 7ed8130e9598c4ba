"""G5: wall time to sync K accounts across rate-limited broker lanes vs the lower bound.

What "4 emulated brokers" became: brokerhub implements two HTTP brokers (Alpaca, E*TRADE)
and the in-process paper broker, and no adapter is invented for this benchmark. So the run
has **3 brokers, 6 budget lanes and 2 unlimited accounts**, K = 12 accounts:

* 4 Alpaca API keys, one account each: Alpaca's budget is per account, so each key is its own
  lane; a sync is its real shape, ``GET /v2/account``, ``GET /v2/positions``,
  ``GET /v2/account/activities`` (100 a page);
* 2 E*TRADE logins (consumer keys) with 3 accounts each: E*TRADE's budget is per user and
  module, so a login's accounts share one lane; a sync is balance, portfolio (50 a page) and
  transactions (50 a page), all in the accounts module;
* 2 paper accounts, in-process, no budget (a lane whose bound is 0).

Limits, the same on both sides: Alpaca's 200/min is scaled to 1 request per
:data:`ALPACA_PERIOD` s per key (at 200/min a 3-request sync never waits; the spacing is what
binds); E*TRADE keeps its published 2 per :data:`ETRADE_PERIOD` s (+ 7000/h) per login.
The hub gets them by overriding its adapters' limit tables (``alpaca.config.RATE_LIMITS``,
``etrade.config.ETRADE_RATE_LIMITS``); the servers are the
real emulators (:mod:`bench.emulator_lanes`, one process on :data:`SERVER_CPU`) behind a
broker-side sliding window per lane that answers 429 (Alpaca) or HTTP 400 (E*TRADE).

Measured: the product path, ``hub.sync.sync_account(force=True)`` for all K connections at
once (``asyncio.gather``) over the hub's pooled adapters and shared in-process limiter,
logging at WARNING, stored in the default SQLite store (write transactions take the lock
up front, so concurrent syncs wait for each other; see store/engine.py).

The bound is computed from what the servers counted: a lane of ``n`` requests
under ``calls`` per ``period`` cannot send its last request before
``floor((n - 1) / calls) * period``; the run's bound is its slowest lane. Wall time is from
the first sync's start to the last one's end (stores included). Warm-up sync, then three
runs, each after the budgets recovered; medians.
Goal: wall <= 1.10x the bound, with no request refused.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import requests

from bench.harness import (
    LOOPBACK,
    RUNS,
    SERVER_CPU,
    BenchResult,
    Figures,
    main,
    median_figures,
    pin_self,
    pinned,
    python_command,
    ratio,
    stop,
    timed,
)
from brokerhub.brokers.alpaca import config as alpaca_config
from brokerhub.brokers.etrade import config as etrade_config
from brokerhub.brokers.http import RateLimit
from brokerhub.config import load_settings
from brokerhub.hub import Hub
from brokerhub.logging import configure_logging
from tests.brokers.etrade.emulated import login

ALPACA_KEYS = 4
ETRADE_LOGINS = 2
ETRADE_ACCOUNTS = 3
PAPER_ACCOUNTS = 2
ALPACA_PERIOD = 1.0
ETRADE_PERIOD = 1.0
ETRADE_CALLS = 2
GOAL = 1.10
RECOVER_SECONDS = 1.5


def _etrade_login(index: int) -> tuple[str, str]:
    return f"{index:02d}" + "bench5etradekey0123456789abcd", f"secret{index:02d}bench5"


def scaled_limits() -> tuple[RateLimit, tuple[RateLimit, ...]]:
    """Return Alpaca's and E*TRADE's limits scaled for the run."""
    alpaca = RateLimit(1, ALPACA_PERIOD)
    etrade = (
        RateLimit(ETRADE_CALLS, ETRADE_PERIOD),
        RateLimit(7000, 3600.0),
    )
    return alpaca, etrade


def apply_scaled_limits() -> None:
    """Point the adapters' limit tables at the scaled limits (read when an adapter is built)."""
    alpaca, etrade = scaled_limits()
    alpaca_config.RATE_LIMITS[alpaca_config.TRADING_FAMILY] = (alpaca,)
    cast(dict[str, tuple[RateLimit, ...]], etrade_config.ETRADE_RATE_LIMITS)["accounts"] = etrade


@contextmanager
def emulators() -> Iterator[dict[str, str]]:
    """Run both emulators behind their lane limits on :data:`SERVER_CPU`; yield base URLs."""
    alpaca, etrade = scaled_limits()
    spec = {
        "seed": 5,
        "alpaca_limit": [alpaca.calls, alpaca.period],
        "etrade_limit": [etrade[0].calls, etrade[0].period],
        "etrade_logins": [[*_etrade_login(i), ETRADE_ACCOUNTS] for i in range(ETRADE_LOGINS)],
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        pinned(python_command("bench.emulator_lanes", json.dumps(spec)), SERVER_CPU),
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        ports = json.loads(process.stdout.readline())
        yield {name: f"http://{LOOPBACK}:{port}" for name, port in ports.items()}
    finally:
        stop(process)
        if process.stdout is not None:
            process.stdout.close()


def lanes(urls: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Return, per lane, the requests the servers counted and refused since the reset."""
    found: dict[str, dict[str, Any]] = {}
    for broker, base in urls.items():
        seen = requests.get(f"{base}/_lanes", timeout=10).json()
        for holder, count in seen["counted"].items():
            found[f"{broker}:{holder}"] = {"n": count, "refused": seen["refused"].get(holder, 0)}
    return found


def lower_bound(counted: dict[str, dict[str, Any]]) -> float:
    """Return the slowest lane's bound: floor((n - 1) / calls) * period, per limit."""
    alpaca, etrade = scaled_limits()
    bound = 0.0
    for lane, seen in counted.items():
        limits = (alpaca,) if lane.startswith("alpaca:") else etrade
        for limit in limits:
            bound = max(bound, math.floor((seen["n"] - 1) / limit.calls) * limit.period)
    return bound


def reset(urls: dict[str, str]) -> None:
    """Zero the servers' lane counts."""
    for base in urls.values():
        requests.get(f"{base}/_reset", timeout=10)


async def measure(runs: int, folder: Path) -> list[Figures]:
    """Connect K accounts, then time ``runs`` syncs of all of them at once."""
    apply_scaled_limits()
    results = []
    with emulators() as urls:
        settings = load_settings(home=folder / "home")
        results += await _sync_runs(Hub(settings), urls, runs)
    return results


async def _sync_runs(hub_: Hub, urls: dict[str, str], runs: int) -> list[Figures]:
    """Connect the K accounts, sync them all once to warm up, then ``runs`` timed times."""
    results: list[Figures] = []
    async with hub_ as hub:
        user = await hub.users.create_user(name="g5")
        connections = []
        for index in range(ALPACA_KEYS):
            credentials = {
                "api_key_id": f"PKBENCH5{index:02d}",
                "api_secret_key": "bench5-secret",
                "base_url": urls["alpaca"],
            }
            connections += await hub.connections.connect(
                user_id=user.id, brokerage_name="alpaca", credentials=credentials
            )
        for index in range(ETRADE_LOGINS):
            key, secret = _etrade_login(index)
            tokens = await asyncio.to_thread(login, urls["etrade"], key, secret)
            credentials = {
                "consumer_key": key,
                "consumer_secret": secret,
                "oauth_token": tokens["oauth_token"],
                "oauth_token_secret": tokens["oauth_token_secret"],
                "base_url": urls["etrade"],
            }
            connections += await hub.connections.connect(
                user_id=user.id, brokerage_name="etrade", credentials=credentials
            )
        for _ in range(PAPER_ACCOUNTS):
            connections += await hub.connections.connect(
                user_id=user.id, brokerage_name="paper", credentials={}
            )
        expected = ALPACA_KEYS + ETRADE_LOGINS * ETRADE_ACCOUNTS + PAPER_ACCOUNTS
        if len(connections) != expected:
            raise RuntimeError(f"connected {len(connections)} accounts, not {expected}")

        async def sync_all() -> None:
            await asyncio.gather(
                *(
                    hub.sync.sync_account(user_id=user.id, connection_id=str(row.id), force=True)
                    for row in connections
                )
            )

        for number in range(runs + 1):  # the first is the warm-up
            await asyncio.sleep(RECOVER_SECONDS)  # every budget back to full
            reset(urls)
            with timed() as timing:
                await sync_all()
            counted = lanes(urls)
            bound = lower_bound(counted)
            if number == 0:
                continue
            results.append(
                {
                    "wall_s": timing[0].wall,
                    "cpu_s": timing[0].cpu,
                    "bound_s": bound,
                    "requests": float(sum(seen["n"] for seen in counted.values())),
                    "refused": float(sum(seen["refused"] for seen in counted.values())),
                    "lanes": float(len(counted)),
                }
            )
    return results


def run(scale: float = 1.0, runs: int = RUNS) -> BenchResult:
    """G5: sync wall time of 12 accounts over 6 rate-limited lanes vs the lower bound."""
    del scale  # the shape is fixed; a run takes a few seconds
    configure_logging(logging.WARNING)
    pin_self()
    with tempfile.TemporaryDirectory() as folder:
        previous = os.environ.get("BROKERHUB_HOME")
        os.environ["BROKERHUB_HOME"] = str(Path(folder) / "home")
        try:
            started = time.perf_counter()
            figures = asyncio.run(measure(runs, Path(folder)))
        finally:
            if previous is None:
                os.environ.pop("BROKERHUB_HOME", None)
            else:
                os.environ["BROKERHUB_HOME"] = previous
    hub = median_figures(figures)
    over = ratio(hub["wall_s"], hub["bound_s"])
    return BenchResult(
        name="G5 sync wall time",
        goal=f"wall <= {GOAL:.2f}x the rate-limit lower bound, nothing refused",
        hub=hub,
        peers={"bound": {"wall_s": hub["bound_s"]}},
        ratios={"wall/bound": over},
        passed=over <= GOAL and hub["refused"] == 0,
        notes=[
            "3 brokers, not 4: only Alpaca and E*TRADE are HTTP brokers (plus in-process "
            f"paper); K = {ALPACA_KEYS + ETRADE_LOGINS * ETRADE_ACCOUNTS + PAPER_ACCOUNTS} "
            f"accounts in {ALPACA_KEYS + ETRADE_LOGINS} limited lanes + {PAPER_ACCOUNTS} paper: "
            f"{ALPACA_KEYS} Alpaca keys (1 per {ALPACA_PERIOD:g} s each), {ETRADE_LOGINS} "
            f"E*TRADE logins x {ETRADE_ACCOUNTS} accounts ({ETRADE_CALLS} per "
            f"{ETRADE_PERIOD:g} s per login); default SQLite store",
            "servers: the Alpaca and E*TRADE emulators in one process pinned apart, behind "
            "per-lane sliding windows answering 429 / HTTP 400",
            "hub: hub.sync.sync_account(force=True) over all connections at once; bound = "
            "slowest lane's floor((n-1)/calls)*period from the requests the servers counted; "
            f"median of {runs} runs after a warm-up ({time.perf_counter() - started:.0f} s)",
        ],
    )


if __name__ == "__main__":
    main(run)
