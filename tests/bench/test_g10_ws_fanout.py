"""G10 runs at a tiny scale: both servers deliver quotes and every figure is measured."""

from __future__ import annotations

from bench import g10_ws_fanout


def test_ws_fanout_runs_tiny() -> None:
    result = g10_ws_fanout.run(scale=0.02, runs=1)
    assert result.summary().startswith("G10 WebSocket fan-out")
    assert result.ratios["msgs_per_s"] > 0
    for figures in (result.hub, result.peers["websockets_broadcast"]):
        assert figures["msgs_per_s"] > 0
        assert figures["latency_msgs_per_s"] > 0
        assert 0 < figures["lag_p50_ms"] <= figures["lag_p99_ms"] <= figures["lag_max_ms"]
