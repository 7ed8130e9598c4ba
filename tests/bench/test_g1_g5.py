"""Smoke tests of the HTTP-stack benchmarks (G1 to G5) and their canned server.

Each benchmark runs at a tiny scale and one run, so the modules cannot rot; the figures
themselves come from ``make bench``.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

from bench.harness import BenchResult, http_get
from bench.pacing_server import (
    alpaca_account_body,
    alpaca_positions_body,
    canned_server,
    reset,
    stats,
)

# alpaca-py (G1's peer) imports websockets.legacy, which warns that it is deprecated.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _check(result: BenchResult) -> None:
    assert result.ratios
    assert all(value > 0 for value in result.ratios.values())
    assert result.summary().startswith(result.name)


def test_canned_server_answers_400_past_its_window(tmp_path: Path) -> None:
    # The bucket refills far faster than a client can ask; only the 7-per-10-s window refuses.
    with canned_server(b"[]", tmp_path, bucket=(1_000_000, 5), window=(7, 10.0)) as base:
        for _ in range(12):
            with contextlib.suppress(OSError):
                http_get(f"{base}/v2/positions")
        seen = stats(base)
        assert (seen["accepted"], seen["rejected_400"]) == (7, 5)
        reset(base)
        assert stats(base)["accepted"] == 0


def test_canned_server_routes_bodies(tmp_path: Path) -> None:
    routes = {"/v2/account": alpaca_account_body()}
    with canned_server(alpaca_positions_body(3), tmp_path, routes=routes) as base:
        assert len(json.loads(http_get(f"{base}/v2/positions?x=1"))) == 3
        assert json.loads(http_get(f"{base}/v2/account"))["account_number"]


def test_idle_pacing_runs_tiny() -> None:
    from bench import g4_idle_pacing

    _check(g4_idle_pacing.run(scale=0.2, runs=1))


def test_pacing_runs_tiny() -> None:
    from bench import g3_pacing

    result = g3_pacing.run(scale=0.04, runs=1)
    _check(result)
    assert result.hub["rejected_429"] + result.hub["rejected_400"] == 0


def test_transport_fanout_runs_tiny() -> None:
    from bench import g2_transport_fanout

    result = g2_transport_fanout.run(scale=0.01, runs=1)
    _check(result)
    assert set(result.peers) == {"aiohttp", "httpx"}


def test_adapter_calls_runs_tiny() -> None:
    from bench import g1_adapter_calls

    _check(g1_adapter_calls.run(scale=0.01, runs=1))


@pytest.mark.postgres
def test_sync_wall_runs_once() -> None:
    from bench import g5_sync_wall

    try:
        result = g5_sync_wall.run(runs=1)
    except OSError as exc:
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    _check(result)
    assert result.hub["refused"] == 0
