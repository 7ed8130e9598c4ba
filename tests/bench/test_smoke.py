"""Smoke tests: every benchmark module imports and runs at a tiny scale, so bench/ cannot rot."""

from __future__ import annotations

import importlib

import pytest

from bench.harness import BenchResult, parse_wrk

# backtrader (G9's peer) has invalid escape sequences, which Python 3.11 reports as
# DeprecationWarning while compiling it.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MODULES = [
    "bench.__main__",
    "bench.g6_rest_read",
    "bench.g7_sqlite_ingest",
    "bench.g8_postgres_ingest",
    "bench.g9_paper_matching",
    "bench.g11_cold_start",
]

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:1/
  1 threads and 50 connections
  Latency Distribution
     50%  3.50ms
     99%    1.20s
  12000 requests in 1.00s, 1.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:  12000.50
"""


@pytest.mark.parametrize("name", MODULES)
def test_module_imports(name: str) -> None:
    importlib.import_module(name)


def test_wrk_output_is_parsed() -> None:
    result = parse_wrk(WRK_OUTPUT)
    assert (result.requests_per_second, result.p50_ms, result.p99_ms, result.non_2xx) == (
        12000.5,
        3.5,
        1200.0,
        3,
    )


def _check(result: BenchResult) -> None:
    assert result.ratios
    assert all(value > 0 for value in result.ratios.values())
    assert result.summary().startswith(result.name)


def test_sqlite_ingest_runs_tiny() -> None:
    from bench import g7_sqlite_ingest

    _check(g7_sqlite_ingest.run(scale=0.0005, runs=1))


def test_paper_matching_runs_tiny() -> None:
    from bench import g9_paper_matching

    _check(g9_paper_matching.run(scale=0.0005, runs=1))


@pytest.mark.postgres
def test_postgres_ingest_runs_tiny() -> None:
    from bench import g8_postgres_ingest

    try:
        result = g8_postgres_ingest.run(scale=0.0005, runs=1)
    except OSError as exc:
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    _check(result)
